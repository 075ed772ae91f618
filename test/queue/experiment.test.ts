/**
 * Queued experiments against a real Redis (DPGCN_TEST_REDIS; skipped and
 * counted as skipped without one): worker processes started from the CLI,
 * results checked bitwise against the local run, a worker SIGKILLed mid-fit,
 * a data spec no worker can open.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { loadDataset } from '../../src/data/spec.js';
import { DEFAULT_CONFIG, type ModelConfig } from '../../src/models/types.js';
import { configFor } from '../../src/recsys/split.js';
import { runExperiment } from '../../src/experiment/run.js';
import { runQueuedExperiment } from '../../src/queue/experiment.js';
import { testUnless } from '../helpers/skip.js';
import { MAIN, dropQueue, exactWithoutTimings, startWorkerProc, stopWorkers, testRedis, uniqueQueue, within, type WorkerProc } from './helpers.js';

const { url, reason } = await testRedis();
const t = suite('queue/experiment');
const it = (name: string, fn: () => Promise<void>) => testUnless(t, reason, name, fn);

const config: ModelConfig = { ...DEFAULT_CONFIG, dim: 8, hidden: [16], epochs: 2, batchSize: 64, maxLen: 8, lr: 0.01 };
// short locks so a lost worker's fit moves on within seconds (the defaults are 30 s / 15 s)
const FAST_LOCKS = ['--lock-duration', '1500', '--stalled-interval', '500'];

it('two workers: the queued experiment is bitwise the local run', async () => {
  const spec = 'synthetic:users=80,items=50,interactions=900,seed=5';
  const queueName = uniqueQueue('grid');
  const ws: WorkerProc[] = [];
  try {
    ws.push(...await Promise.all([startWorkerProc(url!, queueName, 'w-a'), startWorkerProc(url!, queueName, 'w-b')]));
    const args = { protocol: 'din' as const, models: ['embedding-mlp' as const, 'gcn' as const, 'wide-deep' as const], seeds: [1, 2], config };
    const queued = await within(60_000, 'queued experiment', runQueuedExperiment({ url: url!, queueName, spec, ...args }));
    const local = runExperiment({ dataset: await loadDataset(spec), ...args });
    assert.is(exactWithoutTimings(queued.result), exactWithoutTimings(local));
    assert.equal([...queued.workers.keys()].sort(), ['w-a', 'w-b'], 'both workers fitted');
    assert.is([...queued.workers.values()].reduce((a, b) => a + b, 0), 6);
  } finally {
    await stopWorkers(ws);
    await dropQueue(url!, queueName);
  }
});

it('a ranking protocol with per-model recipes: queued equals local', async () => {
  const spec = 'synthetic:users=80,items=50,interactions=900,seed=6';
  const queueName = uniqueQueue('rank');
  const ws: WorkerProc[] = [];
  try {
    ws.push(...await Promise.all([startWorkerProc(url!, queueName, 'r-a'), startWorkerProc(url!, queueName, 'r-b')]));
    const overrides = { dim: 8, epochs: 2, batchSize: 64 };
    const args = { protocol: 'ms-recommenders' as const, models: ['embedding-mlp' as const, 'bpr-mf' as const], seeds: [1],
      config: configFor('ms-recommenders', overrides), overrides, candidates: 'sampled' as const };
    const queued = await within(60_000, 'queued ranking experiment', runQueuedExperiment({ url: url!, queueName, spec, ...args }));
    const local = runExperiment({ dataset: await loadDataset(spec), ...args });
    assert.is(exactWithoutTimings(queued.result), exactWithoutTimings(local));
  } finally {
    await stopWorkers(ws);
    await dropQueue(url!, queueName);
  }
});

it('a worker SIGKILLed mid-fit loses nothing: the other completes the job', async () => {
  // big enough that the first progress report comes long before the fit ends
  const spec = 'synthetic:users=200,items=100,interactions=3000,seed=4';
  const queueName = uniqueQueue('kill');
  const ws: WorkerProc[] = [];
  try {
    ws.push(...await Promise.all([startWorkerProc(url!, queueName, 'k-a', FAST_LOCKS), startWorkerProc(url!, queueName, 'k-b', FAST_LOCKS)]));
    let killed: string | null = null, killedAt: { done: number; total: number } | null = null;
    const cfg = { ...config, epochs: 4 };
    const queued = await within(90_000, 'experiment after a kill', runQueuedExperiment({
      url: url!, queueName, spec, protocol: 'din', models: ['gcn'], seeds: [1], config: cfg,
      onEvent: (e) => {
        if (e.kind !== 'progress' || killed || !e.worker || !e.total) return;
        killed = e.worker; killedAt = { done: e.done!, total: e.total };
        ws.find((w) => w.name === e.worker)!.proc.kill('SIGKILL');
      },
    }));
    assert.ok(killed, 'a worker reported progress and was killed');
    assert.ok(killedAt!.done < killedAt!.total, 'killed before the fit ended');
    const survivor = ws.find((w) => w.name !== killed)!.name;
    assert.equal([...queued.workers], [[survivor, 1]]);
    const local = runExperiment({ dataset: await loadDataset(spec), protocol: 'din', models: ['gcn'], seeds: [1], config: cfg });
    assert.is(exactWithoutTimings(queued.result), exactWithoutTimings(local));
  } finally {
    await stopWorkers(ws);
    await dropQueue(url!, queueName);
  }
});

it('a data spec the worker cannot open: the experiment exits 2 naming the spec and the worker', async () => {
  const queueName = uniqueQueue('bad');
  const ws: WorkerProc[] = [];
  try {
    ws.push(await startWorkerProc(url!, queueName, 'bad-w'));
    const spec = 'movielens:/nonexistent/ml-100k';
    const child = spawn(process.execPath, [MAIN, 'experiment', '--data', spec, '--models', 'gcn,pnn', '--seeds', '1,2', '--protocol', 'din',
      '--queue', url!, '--queue-name', queueName], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
    let stderr = '', stdout = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    const code = await within(20_000, 'experiment on a bad spec', new Promise<number | null>((resolve) => child.on('exit', resolve)))
      .catch((e) => { child.kill('SIGKILL'); throw e; });
    assert.is(code, 2, stderr);
    assert.is(stdout, '');
    const lines = stderr.trim().split('\n');
    assert.is(lines.length, 1, stderr);
    assert.match(lines[0], /^dpgcn: fit \S+ seed \d failed: worker bad-w cannot open data spec "movielens:\/nonexistent\/ml-100k": /);
  } finally {
    await stopWorkers(ws);
    await dropQueue(url!, queueName);
  }
});

t.run();
