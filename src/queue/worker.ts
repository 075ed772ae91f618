/**
 * `dpgcn worker`: takes fit jobs from the queue, one at a time, and runs each
 * in a BullMQ sandboxed processor on a worker thread (fit_processor.ts).
 *
 * Losing a worker loses nothing: its job's lock (lockDuration) stops being
 * renewed, another worker's stalled-job check (every stalledInterval) moves
 * the job back to waiting, and someone else fits it from the start (fits are
 * deterministic, so the result is the same). The lock is renewed by this
 * process's main thread, which the fit never blocks; that is why the fit runs
 * on a thread and why lockDuration can stay short.
 */
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis } from '../util/redis.js';
import { DEFAULT_QUEUE_NAME } from './names.js';
import type { FitJobData } from './jobs.js';

export interface WorkerOptions {
  url: string;
  queueName?: string;
  /** Shown in job failures and progress (default HOST:PID). */
  name?: string;
  /** How long a job's lock lasts without renewal (default 30 s). */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose lock has lapsed (default 15 s). */
  stalledIntervalMs?: number;
  /** How often a job may be recovered from a lost worker before it fails (default 2). */
  maxStalledCount?: number;
  onEvent?(e: { kind: 'active' | 'completed' | 'failed'; job: Job<FitJobData>; reason?: string }): void;
}

export interface FitWorker { name: string; worker: Worker<FitJobData, string>; close(force?: boolean): Promise<void> }

export const PROCESSOR_FILE = fileURLToPath(new URL('./fit_processor.js', import.meta.url));

export async function startWorker(opts: WorkerOptions): Promise<FitWorker> {
  const name = opts.name ?? `${os.hostname()}:${process.pid}`;
  const connection: Redis = await connectRedis('--queue', opts.url);
  const worker = new Worker<FitJobData, string>(opts.queueName ?? DEFAULT_QUEUE_NAME, PROCESSOR_FILE, {
    connection,
    name,
    concurrency: 1,
    useWorkerThreads: true,
    workerThreadsOptions: { workerData: { workerName: name } },
    lockDuration: opts.lockDurationMs ?? 30_000,
    stalledInterval: opts.stalledIntervalMs ?? 15_000,
    maxStalledCount: opts.maxStalledCount ?? 2,
  });
  worker.on('active', (job) => opts.onEvent?.({ kind: 'active', job }));
  worker.on('completed', (job) => opts.onEvent?.({ kind: 'completed', job }));
  worker.on('failed', (job, err) => { if (job) opts.onEvent?.({ kind: 'failed', job, reason: err.message }); });
  worker.on('error', (e) => process.stderr.write(`dpgcn worker ${name}: ${e.message}\n`));
  await worker.waitUntilReady();
  return {
    name, worker,
    async close(force = false) { await worker.close(force); connection.disconnect(); },
  };
}
