/**
 * Shared by the queue tests: the Redis they may use (DPGCN_TEST_REDIS, which
 * .ci/run sets), worker processes started from the built CLI, and a per-run
 * queue name so concurrent runs and leftovers never meet.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { connectRedis } from '../../src/util/redis.js';
import { encodeExact } from '../../src/queue/codec.js';

export { MAIN } from '../helpers/cli.js';
import { MAIN } from '../helpers/cli.js';

/**
 * The test Redis URL (DPGCN_TEST_REDIS), or why there is none; the tests then
 * register as skipped (test/helpers/skip.ts). Under CI=true an unreachable Redis is an error.
 */
export async function testRedis(): Promise<{ url: string; reason: null } | { url: null; reason: string }> {
  const url = process.env.DPGCN_TEST_REDIS;
  if (!url) return { url: null, reason: 'DPGCN_TEST_REDIS is not set (.ci/run starts redis-server and sets it)' };
  try {
    (await connectRedis('DPGCN_TEST_REDIS', url, 2000)).disconnect();
    return { url, reason: null };
  } catch (e) {
    if (process.env.CI === 'true') throw e;
    return { url: null, reason: (e as Error).message };
  }
}

export function uniqueQueue(tag: string): string { return `test-${tag}-${process.pid}-${randomBytes(4).toString('hex')}`; }

export interface WorkerProc { name: string; proc: ChildProcess; log: () => string; exited: Promise<number | null> }

/** Starts `dpgcn worker` and resolves once it waits for jobs. */
export function startWorkerProc(url: string, queueName: string, name: string, extra: string[] = []): Promise<WorkerProc> {
  const proc = spawn(process.execPath, [MAIN, 'worker', '--queue', url, '--queue-name', queueName, '--name', name, ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
  let out = '';
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`worker ${name} did not start: ${out}`)); }, 15_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('waiting for fits')) { clearTimeout(timer); resolve({ name, proc, log: () => out, exited }); }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`worker ${name} exited with ${code}: ${out}`)); });
  });
}

export async function stopWorkers(ws: WorkerProc[]): Promise<void> {
  for (const w of ws) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGKILL');
  await Promise.all(ws.map((w) => w.exited));
}

/** Removes everything the queue left in Redis. */
export async function dropQueue(url: string, queueName: string): Promise<void> {
  const connection = await connectRedis('DPGCN_TEST_REDIS', url);
  const q = new Queue(queueName, { connection });
  try { await q.obliterate({ force: true }); } finally { await q.close(); connection.disconnect(); }
}

/** Rejects after ms: every wait in these tests ends by itself. */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_r, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(timer));
}

/** A result in encodeExact's JSON (every float bit kept) without its timings, the only fields allowed to differ between runs. */
export function exactWithoutTimings(result: unknown): string {
  return JSON.stringify(JSON.parse(encodeExact(result)), (k, v: unknown) => (/Seconds$/.test(k) ? undefined : v));
}
