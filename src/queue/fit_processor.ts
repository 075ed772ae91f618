/**
 * BullMQ sandboxed processor: runs inside a worker thread that the worker's
 * child pool keeps alive between jobs. A fit is synchronous and can hold its
 * thread for minutes; because it runs here, the worker's main thread stays
 * free to renew the job's lock, so a long fit is never mistaken for a stalled
 * one, and a killed worker process takes this thread with it.
 *
 * The thread keeps the last data sets and the last prepared split, so the
 * fits of one seed (enqueued one after another) split the data once.
 */
import { workerData } from 'node:worker_threads';
import { UserError } from '../errors.js';
import { loadDataset } from '../data/spec.js';
import type { Dataset } from '../data/types.js';
import { prepareSplit, type PreparedSplit } from '../recsys/split.js';
import { runFit } from '../experiment/run.js';
import { currentBackend, useBackend } from '../backend/registry.js';
import type { BackendName } from '../backend/kernels.js';
import { encodeExact } from './codec.js';
import type { FitJobData, FitJobResult, FitProgress } from './jobs.js';

interface SandboxJob { id?: string; data: FitJobData; updateProgress(p: FitProgress): Promise<void> }

const workerName: string = (workerData as { workerName?: string } | null)?.workerName ?? `pid ${process.pid}`;
const DATASETS_KEPT = 2;
const datasets = new Map<string, Promise<Dataset>>();
let split: { key: string; prepared: PreparedSplit } | null = null;

async function dataset(spec: string): Promise<Dataset> {
  let p = datasets.get(spec);
  if (!p) {
    p = loadDataset(spec);
    datasets.set(spec, p);
    p.catch(() => datasets.delete(spec));
    while (datasets.size > DATASETS_KEPT) datasets.delete(datasets.keys().next().value!);
  }
  return p;
}

function backendFor(wanted: string | null): string {
  if (wanted && currentBackend().name !== wanted) useBackend(wanted as BackendName);
  return currentBackend().name;
}

export default async function fit(job: SandboxJob): Promise<string> {
  const d = job.data;
  let ds: Dataset, backend: string;
  try {
    backend = backendFor(d.backend);
  } catch (e) {
    throw new Error(`worker ${workerName}: backend ${d.backend}: ${(e as Error).message}`);
  }
  try {
    ds = await dataset(d.spec);
  } catch (e) {
    throw new Error(`worker ${workerName} cannot open data spec "${d.spec}": ${(e as Error).message}`);
  }
  const opts = { candidates: d.candidates, rankUsers: d.rankUsers };
  const key = JSON.stringify([d.spec, d.protocol, d.seed, d.splitConfig, opts]);
  try {
    if (split?.key !== key) {
      split = null; // the old split's arrays go before the new one is built
      split = { key, prepared: prepareSplit(ds, d.protocol, d.seed, d.splitConfig, opts) };
    }
    let last = 0;
    const outcome = runFit(d.model, ds, split.prepared, d.config, {
      onStep: (done, total) => {
        // the parent forwards each message to Redis: a few a second is plenty
        const now = Date.now();
        if (now - last < 250 && done < total) return;
        last = now;
        job.updateProgress({ done, total, worker: workerName }).catch(() => { /* progress is best effort */ });
      },
    });
    const result: FitJobResult = { outcome, dataset: ds.name, worker: workerName, backend };
    return encodeExact(result);
  } catch (e) {
    if (e instanceof UserError) throw new Error(`worker ${workerName}: ${e.message}`);
    throw new Error(`worker ${workerName}: internal error: ${(e as Error).stack ?? String(e)}`);
  }
}
