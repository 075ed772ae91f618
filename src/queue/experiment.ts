/**
 * `dpgcn experiment --queue`: the experiment as fit jobs. Every (model, seed)
 * fit of the data set becomes one BullMQ job, enqueued seed by seed (a
 * worker then splits each seed's data once); the results are collected in
 * whatever order workers finish and summarised exactly as a local run
 * summarises its own (summarizeExperiment), so table, JSON and report are the
 * same. The first failed fit stops the experiment: its waiting fits are
 * withdrawn and the failure, naming the worker, is thrown.
 */
import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { UserError } from '../errors.js';
import type { ModelConfig, ModelName } from '../models/types.js';
import { modelConfig, summarizeExperiment, type FitOutcome, type ModelResultExt } from '../experiment/run.js';
import { type Protocol } from '../recsys/split.js';
import type { ExperimentResult } from '../eval/result_types.js';
import type { CandidateMode } from '../data/protocols/ranking.js';
import { connectRedis } from '../util/redis.js';
import { DEFAULT_QUEUE_NAME } from './names.js';
import { decodeExact } from './codec.js';
import { FIT_JOB, type FitJobData, type FitJobResult, type FitProgress } from './jobs.js';

export type QueueEvent =
  | { kind: 'queued'; runs: number; queue: string }
  | { kind: 'active' | 'progress' | 'done'; model: ModelName; seed: number; done?: number; total?: number; worker?: string; finished: number; runs: number };

export interface QueuedExperimentOptions {
  url: string;
  queueName?: string;
  spec: string;
  protocol: Protocol;
  models: ModelName[];
  seeds: number[];
  config: ModelConfig;
  /** As in runExperiment: each model then trains with configFor(protocol, overrides, model). */
  overrides?: Partial<ModelConfig>;
  candidates?: CandidateMode;
  rankUsers?: number;
  /** The backend every fit must run on (null: each worker's default). */
  backend?: string | null;
  onEvent?(e: QueueEvent): void;
}

export interface QueuedExperimentResult {
  result: ExperimentResult & { models: ModelResultExt[] };
  /** Fits per backend and per worker, for the caller to report. */
  backends: Map<string, number>;
  workers: Map<string, number>;
}

/** How long finished jobs stay in Redis if their experiment never collected them. */
const KEEP_SECONDS = 7 * 24 * 3600;

export async function runQueuedExperiment(opts: QueuedExperimentOptions): Promise<QueuedExperimentResult> {
  const queueName = opts.queueName ?? DEFAULT_QUEUE_NAME;
  const connection = await connectRedis('--queue', opts.url);
  const queue = new Queue<FitJobData, string>(queueName, { connection });
  const events = new QueueEvents(queueName, { connection: connection.duplicate() });
  try {
    await events.waitUntilReady();
    const runId = randomBytes(6).toString('hex');
    const fits = opts.seeds.flatMap((seed) => opts.models.map((model) => ({ model, seed })));
    const byId = new Map(fits.map((f, i) => [`${runId}-${i}`, f]));
    const runs = fits.length;
    queue.setMaxListeners(runs + 10); // each job's waitUntilFinished listens for the queue closing
    let finished = 0;
    events.on('active', ({ jobId }) => {
      const f = byId.get(jobId);
      if (f) opts.onEvent?.({ kind: 'active', ...f, finished, runs });
    });
    events.on('progress', ({ jobId, data }) => {
      const f = byId.get(jobId);
      const p = data as FitProgress;
      if (f && typeof p === 'object') opts.onEvent?.({ kind: 'progress', ...f, done: p.done, total: p.total, worker: p.worker, finished, runs });
    });
    const jobs = await queue.addBulk([...byId].map(([jobId, f]) => ({
      name: FIT_JOB,
      data: { spec: opts.spec, protocol: opts.protocol, model: f.model, seed: f.seed, config: modelConfig(opts, f.model), splitConfig: opts.config,
        ...(opts.candidates ? { candidates: opts.candidates } : {}), ...(opts.rankUsers ? { rankUsers: opts.rankUsers } : {}),
        backend: opts.backend ?? null },
      opts: { jobId, attempts: 1, removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS } },
    })));
    opts.onEvent?.({ kind: 'queued', runs, queue: queueName });
    const results: FitJobResult[] = [];
    let failure: Error | null = null;
    await Promise.all(jobs.map(async (job) => {
      const f = byId.get(job.id!)!;
      try {
        const text = await job.waitUntilFinished(events);
        if (failure) return;
        const r = decodeExact<FitJobResult>(text);
        results.push(r);
        finished++;
        opts.onEvent?.({ kind: 'done', ...f, worker: r.worker, finished, runs });
      } catch (e) {
        if (failure) return;
        const reason = (e as Error).message;
        const what = `fit ${f.model} seed ${f.seed} failed: ${reason}`;
        failure = reason.includes('internal error') || reason.includes('stalled') ? new Error(what) : new UserError(what);
        // withdraw what no worker has started; the running fits finish and expire
        await Promise.all([...byId.keys()].map((id) => queue.remove(id).catch(() => 0)));
        throw failure;
      }
    })).catch((e) => { throw failure ?? e; });
    await Promise.all(jobs.map((j) => j.remove().catch(() => { /* already gone */ })));
    const count = (key: (r: FitJobResult) => string) => {
      const m = new Map<string, number>();
      for (const r of results) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
      return m;
    };
    const names = new Set(results.map((r) => r.dataset));
    if (names.size > 1) throw new UserError(`--data ${opts.spec}: workers opened different data sets (${[...names].join(', ')}); give them the same files`);
    const outcomes: FitOutcome[] = results.map((r) => r.outcome);
    const result = summarizeExperiment({ dataset: results[0].dataset, protocol: opts.protocol, models: opts.models, seeds: opts.seeds }, outcomes);
    return { result, backends: count((r) => r.backend), workers: count((r) => r.worker) };
  } finally {
    await events.close().catch(() => {});
    await queue.close().catch(() => {});
    connection.disconnect();
  }
}
