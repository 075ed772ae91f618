/**
 * `dpgcn worker --queue redis://HOST:PORT`: fits experiment jobs until
 * stopped. Start as many as wanted, on any machines that see the Redis
 * server and the data (specs are opened by each worker, paths relative to its
 * working directory). SIGINT/SIGTERM: finish the current fit, then exit; a
 * second signal exits at once (the fit goes back to the queue once its lock
 * lapses).
 */
import type { Command } from 'commander';
import { parseIntArg } from './args.js';
import { DEFAULT_QUEUE_NAME, parseQueueName } from '../queue/names.js';
import { parseRedisUrl } from '../util/redis.js';
import { startWorker } from '../queue/worker.js';

interface WorkerArgs { queue: string; queueName: string; name?: string; lockDuration: string; stalledInterval: string; quiet?: boolean }

export function register(program: Command): void {
  program.command('worker')
    .description('take experiment fits from a Redis queue (BullMQ), run them and store their results')
    .requiredOption('--queue <url>', 'Redis server: redis://HOST:PORT')
    .option('--queue-name <name>', 'BullMQ queue name (the experiment must use the same)', DEFAULT_QUEUE_NAME)
    .option('--name <name>', 'this worker\'s name in job failures and progress (default HOST:PID)')
    .option('--lock-duration <ms>', 'a job whose lock is not renewed for this long goes to another worker', '30000')
    .option('--stalled-interval <ms>', 'how often to look for jobs of lost workers', '15000')
    .option('--quiet', 'no line per job on stderr')
    .action(async (o: WorkerArgs) => {
      const url = parseRedisUrl('--queue', o.queue);
      const queueName = parseQueueName('--queue-name', o.queueName);
      const lockDurationMs = parseIntArg('--lock-duration', o.lockDuration, 100);
      const stalledIntervalMs = parseIntArg('--stalled-interval', o.stalledInterval, 100);
      const log = (s: string) => { if (!o.quiet) process.stderr.write(`${new Date().toISOString()} ${s}\n`); };
      const w = await startWorker({
        url, queueName, name: o.name, lockDurationMs, stalledIntervalMs,
        onEvent: ({ kind, job, reason }) => log(`${kind} ${job.data.model} seed ${job.data.seed} (${job.id})${reason ? `: ${reason}` : ''}`),
      });
      log(`worker ${w.name} waiting for fits on ${queueName} at ${url}`);
      let stopping = false;
      const stop = () => {
        if (stopping) process.exit(130);
        stopping = true;
        log('stopping after the current fit (signal again to stop now)');
        w.close().then(() => process.exit(0), () => process.exit(1));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      await new Promise<never>(() => { /* runs until a signal */ });
    });
}
