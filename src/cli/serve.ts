/** `dpgcn serve`: the HTTP server of src/serve/server.ts. */
import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer } from '../http/server.js';
import { replication } from '../http/replication.js';
import { parseRedisUrl } from '../util/redis.js';
import { parseQueueName } from '../queue/names.js';
import { benchServe, type ServeBenchTarget } from '../bench/serve.js';
import { benchReplicas } from '../bench/replicas.js';
import { benchOnline } from '../bench/online.js';
import { benchStream } from '../bench/stream.js';
import { machineLimits } from '../bench/machine.js';
import type { ModelName } from '../models/types.js';
import { checkWritable, parseIntArg } from './args.js';
import { trainToFile } from '../recsys/train_file.js';
import { UserError } from '../errors.js';

export function register(program: Command): void {
  program.command('serve')
    .description('serve a model file over HTTP (JSON); feedback goes to an SQLite database. Privacy and admin routes need DPGCN_ADMIN_TOKEN')
    .requiredOption('--model <file>', 'model file written by dpgcn train')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port (0 = any free port)', '8080')
    .option('--db <file>', 'SQLite feedback database (default: MODEL.feedback.db)')
    .option('--redis <url>', 'share feedback, users, erasures and policy with other replicas through this Redis (redis://HOST:PORT)')
    .option('--redis-prefix <name>', 'key prefix shared by the replicas of one deployment', 'dpgcn-serve')
    .option('--replica-id <id>', 'this replica\'s id, the same across restarts (default: host name + hash of the --db path)')
    .option('--learner', 'this replica is the learner: reads the stream in a consumer group and publishes policy weights')
    .option('--train <spec>', 'first train a model on this data spec and write it to --model (overwriting it)')
    .option('--train-model <name>', 'with --train: the model to train', 'dp-gcn')
    .option('--web <dir>', 'also serve this web bundle (dpgcn export web) at /web/')
    .option('--segments <file>', "segments for GET /segments and /users/:id/segment: a file from dpgcn segments --out, 'compute' (at start) or 'none' (default: MODEL.segments.json if present)")
    .option('--no-learn', 'serve the model\'s policy frozen: no exploration, no learning (decisions are still logged)')
    .option('--learn-seed <n>', 'seed of exploration and of the learner\'s minibatches', '1')
    .option('--learn-sync', 'wait for each due gate decision before answering (answers depend only on the seed and the request order)')
    .action(async (o: { model: string; host: string; port: string; db?: string; redis?: string; redisPrefix: string; replicaId?: string; learner?: boolean;
      train?: string; trainModel: string; web?: string; segments?: string; learn: boolean; learnSeed: string; learnSync?: boolean }) => {
      if (o.web && !fs.existsSync(path.join(o.web, 'index.html'))) throw new UserError(`--web: ${o.web} holds no index.html (write one with dpgcn export web)`);
      const port = parseIntArg('--port', o.port, 0);
      if (o.train) {
        checkWritable('--model', o.model);
        await trainToFile({ data: o.train, model: o.trainModel, out: o.model });
        process.stdout.write(`dpgcn serve: trained ${o.trainModel} on ${o.train} -> ${o.model}\n`);
      }
      if (!o.redis && o.learner) throw new UserError('--learner: needs --redis');
      const db = o.db ?? `${o.model}.feedback.db`;
      const repl = o.redis ? replication({ url: parseRedisUrl('--redis', o.redis), prefix: parseQueueName('--redis-prefix', o.redisPrefix),
        replicaId: o.replicaId, learner: !!o.learner }, db) : undefined;
      const s = await startServer({ model: o.model, host: o.host, port, db, adminToken: process.env.DPGCN_ADMIN_TOKEN || null, replication: repl, web: o.web, segments: o.segments,
        learning: { learn: o.learn, seed: parseIntArg('--learn-seed', o.learnSeed, 0), sync: !!o.learnSync } });
      if (repl) process.stdout.write(`dpgcn serve: replica ${repl.replicaId} on ${repl.stream}${o.learner ? ' (learner)' : ''}, ${repl.applied} entries caught up\n`);
      const rec = s.current();
      process.stdout.write(`dpgcn serve: listening on ${s.url} (model ${rec.modelVersion}, ${rec.numItems} items, ${rec.scoring} scoring, `
        + `privacy/admin routes ${process.env.DPGCN_ADMIN_TOKEN ? 'enabled' : 'disabled'}, learning ${s.learner.learning ? `on, policy version ${s.learner.version}` : 'off'}${o.web ? `, web page at ${s.url}/web/` : ''})\n`);
      const stop = () => { s.close().then(() => process.exit(0), () => process.exit(1)); };
      process.once('SIGINT', stop); process.once('SIGTERM', stop);
    });
  registerBench(program);
}

/** `dpgcn bench serve`, registered on the bench command (bench.ts registers first). */
export function registerBench(program: Command): void {
  const bench = program.commands.find((c) => c.name() === 'bench');
  if (!bench) return;
  registerBenchReplicas(bench);
  registerBenchStream(bench);
  registerBenchOnline(bench);
  bench.command('serve')
    .description('HTTP serving: /recommend p50/p99/req/s at 1, 16, 64 connections (ml-100k model, trained 100k-item model), durable feedback events/s, RSS')
    .option('--json [file]', 'print JSON (or write it to a file)')
    .option('--duration <s>', 'seconds per measurement', '5')
    .option('--connections <list>', 'connection counts', '1,16,64')
    .option('--ml100k <dir>', 'MovieLens 100k directory (the ml-100k model is trained once into --work)', '../shared/data/ml-100k')
    .option('--model <files>', 'comma-separated model files to measure instead of the defaults')
    .option('--work <dir>', 'where trained benchmark models are kept', path.join(os.tmpdir(), 'dpgcn-bench-serve-models'))
    .option('--no-large', 'skip the trained 100k-item lightgcn (trained once into --work)')
    .option('--fixture', 'also measure the 100k-item random factorised fixture')
    .option('--max-batch <n>', '/recommend requests scored together (1 = no dynamic batching)', '64')
    .action(async (o: { json?: string | boolean; duration: string; connections: string; ml100k: string; model?: string; work: string; large: boolean; fixture?: boolean; maxBatch: string }) => {
      const log = o.json === true ? (s: string) => process.stderr.write(s + '\n') : (s: string) => process.stdout.write(s + '\n');
      const duration = parseIntArg('--duration', o.duration, 1);
      const connections = o.connections.split(',').map((c) => parseIntArg('--connections', c.trim(), 1));
      const targets: ServeBenchTarget[] = [];
      if (o.model) for (const f of o.model.split(',')) targets.push({ label: path.basename(f), model: f });
      else if (fs.existsSync(o.ml100k)) targets.push({ label: 'ml-100k ' + BENCH_MODEL, model: await ml100kModel(o.ml100k, o.work, log) });
      else log(`ml-100k: ${o.ml100k} not found, skipped`);
      if (o.large && !o.model) targets.push({ label: `${LARGE_SPEC} ${BENCH_MODEL} (${LARGE_EPOCHS} epochs)`, model: await largeModel(o.work, log) });
      if (o.fixture && !o.model) targets.push({ label: 'fixture: random factorised tables, synthetic 100k items, d=64', model: 'fixture' });
      let triad: number | null = null;
      try { triad = machineLimits().triadGBs.all; } catch { /* unknown */ }
      log(`memory bandwidth (STREAM triad, all threads): ${triad?.toFixed(1) ?? '?'} GB/s; anchor: Gorse reads a cached top-10 in 0.26 ms, inserts 10 feedback rows in 3.6-11 ms`);
      const maxBatch = parseIntArg('--max-batch', o.maxBatch, 1);
      log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; dynamic batching up to ${maxBatch} requests`);
      const r = await benchServe({ targets, connections, duration, triadGBs: triad, maxBatch, log });
      if (o.json === true) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else if (typeof o.json === 'string') { const tmp = `${o.json}.${process.pid}.tmp`; fs.writeFileSync(tmp, JSON.stringify(r, null, 2) + '\n'); fs.renameSync(tmp, o.json); }
    });
}

/** `dpgcn bench replicas`, registered on the bench command. */
function registerBenchReplicas(bench: Command): void {
  bench.command('replicas')
    .description('two serving replicas sharing a Redis stream (one process): feedback visibility at the other replica p50/p99, /feedback req/s with and without Redis')
    .requiredOption('--model <file>', 'model file both replicas serve')
    .requiredOption('--redis <url>', 'Redis to use (keys under a unique prefix, removed afterwards)')
    .option('--events <n>', 'feedback events timed one at a time', '200')
    .option('--duration <s>', 'seconds per throughput run', '5')
    .option('--connections <n>', 'connections for the throughput runs', '16')
    .option('--json', 'print JSON')
    .action(async (o: { model: string; redis: string; events: string; duration: string; connections: string; json?: boolean }) => {
      const log = o.json ? (s: string) => process.stderr.write(s + '\n') : (s: string) => process.stdout.write(s + '\n');
      if (!fs.existsSync(o.model)) throw new UserError(`--model: ${o.model} does not exist`);
      log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
      const r = await benchReplicas({ model: o.model, redis: parseRedisUrl('--redis', o.redis), events: parseIntArg('--events', o.events, 1),
        seconds: parseIntArg('--duration', o.duration, 1), connections: parseIntArg('--connections', o.connections, 1), log });
      if (o.json) { process.stdout.write(JSON.stringify(r, null, 2) + '\n'); return; }
      log(`feedback visible at the other replica: p50 ${r.visibleMs.p50} ms, p99 ${r.visibleMs.p99} ms (${r.visibleMs.events} events)`);
      log(`/feedback req/s: ${r.feedbackRps.local} without Redis, ${r.feedbackRps.redis} through Redis (ratio ${r.feedbackRps.ratio}), ${r.feedbackRps.connections} connections`);
    });
}

/** `dpgcn bench stream`, registered on the bench command. */
function registerBenchStream(bench: Command): void {
  bench.command('stream')
    .description('the Redis stream\'s length over a long run: two replicas and a learner, N entries from /recommend and /feedback; longest and final length')
    .requiredOption('--model <file>', 'model file the replicas serve')
    .requiredOption('--redis <url>', 'Redis to use (keys under a unique prefix, removed afterwards)')
    .option('--events <n>', 'stream entries to produce (half decisions, half feedback)', '20000')
    .option('--concurrency <n>', 'requests in flight', '8')
    .option('--json', 'print JSON')
    .action(async (o: { model: string; redis: string; events: string; concurrency: string; json?: boolean }) => {
      const log = o.json ? (s: string) => process.stderr.write(s + '\n') : (s: string) => process.stdout.write(s + '\n');
      if (!fs.existsSync(o.model)) throw new UserError(`--model: ${o.model} does not exist`);
      process.env.DPGCN_LEARNER_LOG ??= '0';
      const r = await benchStream({ model: o.model, redis: parseRedisUrl('--redis', o.redis), events: parseIntArg('--events', o.events, 2), concurrency: parseIntArg('--concurrency', o.concurrency, 1), log });
      if (o.json) { process.stdout.write(JSON.stringify(r, null, 2) + '\n'); return; }
      log(`${r.entriesAdded} entries appended in ${r.seconds} s; stream length: longest ${r.maxLength} (${r.samples} samples), ${r.finalLength} at the end; `
        + `learner: ${r.learner.published} published, ${r.learner.withheld} withheld`);
    });
}

/** The ml-100k benchmark model (factorised, so served from its tables), trained once. */
const BENCH_MODEL: ModelName = 'lightgcn';

async function ml100kModel(dir: string, work: string, log: (s: string) => void): Promise<string> {
  const file = path.join(work, `ml100k-${BENCH_MODEL}.ck`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(work, { recursive: true });
  log(`training ${BENCH_MODEL} on ml-100k once (2 epochs) -> ${file}`);
  await trainToFile({ data: `movielens:${path.resolve(dir)}`, model: BENCH_MODEL, out: file, protocol: 'ranking', seed: 1, overrides: { epochs: 2 } });
  return file;
}

/** The 100k-item benchmark model (issue 21): trained once into --work (about 25 min on 2 shared cores: docs/serving-scale.md). */
const LARGE_SPEC = 'synthetic:users=20000,items=100000,interactions=400000', LARGE_EPOCHS = 5;

async function largeModel(work: string, log: (s: string) => void): Promise<string> {
  const file = path.join(work, `synthetic100k-${BENCH_MODEL}-e${LARGE_EPOCHS}.ck`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(work, { recursive: true });
  log(`training ${BENCH_MODEL} on ${LARGE_SPEC} once (ranking protocol, ${LARGE_EPOCHS} epochs) -> ${file}`);
  await trainToFile({ data: LARGE_SPEC, model: BENCH_MODEL, out: file, protocol: 'ranking', seed: 1, overrides: { epochs: LARGE_EPOCHS } });
  return file;
}

/** `dpgcn bench online`, registered on the bench command. */
function registerBenchOnline(bench: Command): void {
  bench.command('online')
    .description('learning while serving over HTTP: a learning and a frozen server from one model file play the closed-loop market; per-seed clicks and the paired difference')
    .requiredOption('--model <file>', 'model file (dp-gcn or d-gcn with the dot head, trained on the synthetic market)')
    .option('--seeds <list>', 'market and exploration seeds', '1,2,3')
    .option('--users <n>', 'simulated users per seed', '100')
    .option('--replicas <n>', '1, or 2 (two replicas and a learner per side, behind --redis)', '1')
    .option('--redis <url>', 'Redis for --replicas 2')
    .option('--no-in-process', 'skip the in-process online learner of the same model (the reference)')
    .option('--json <file>', 'write the result as JSON')
    .action(async (o: { model: string; seeds: string; users: string; replicas: string; redis?: string; inProcess: boolean; json?: string }) => {
      if (!fs.existsSync(o.model)) throw new UserError(`--model: ${o.model} does not exist`);
      const replicas = parseIntArg('--replicas', o.replicas, 1);
      if (replicas !== 1 && replicas !== 2) throw new UserError(`--replicas: expected 1 or 2, got ${replicas}`);
      const seeds = o.seeds.split(',').map((x) => parseIntArg('--seeds', x.trim(), 0));
      const log = (s: string) => process.stdout.write(s + '\n');
      const r = await benchOnline({ model: o.model, seeds, users: parseIntArg('--users', o.users, 1), replicas, redis: o.redis ? parseRedisUrl('--redis', o.redis) : undefined,
        inProcess: o.inProcess, log });
      const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
      log(`learning - frozen: mean ${f(r.diff.mean)} clicks, 95% CI [${f(r.diff.ci95[0])}, ${f(r.diff.ci95[1])}] over ${seeds.length} seeds`);
      if (r.inProcess) log(`learning server vs in-process online learner: ${(100 * r.inProcess.learningVsInProcess).toFixed(1)}% clicks`);
      if (o.json) { const tmp = `${o.json}.${process.pid}.tmp`; fs.writeFileSync(tmp, JSON.stringify(r, null, 2) + '\n'); fs.renameSync(tmp, o.json); }
    });
}
