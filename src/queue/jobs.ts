/**
 * What a fit job carries and returns. One job is one (model, seed, data set)
 * fit: the data spec is opened by the worker itself (paths resolve in the
 * worker's working directory), and the result is a FitOutcome in
 * encodeExact's JSON, so the experiment side rebuilds bitwise the numbers the
 * worker computed.
 */
import type { ModelConfig, ModelName } from '../models/types.js';
import type { Protocol } from '../recsys/split.js';
import type { CandidateMode } from '../data/protocols/ranking.js';

export interface FitJobData {
  /** Data spec as typed on the command line. */
  spec: string;
  protocol: Protocol;
  model: ModelName;
  seed: number;
  /** The model's own config (modelConfig: its recipe and the caller's settings). */
  config: ModelConfig;
  /** The experiment's config, which prepares the split (as runExperiment does). */
  splitConfig: ModelConfig;
  candidates?: CandidateMode;
  rankUsers?: number;
  /** The experiment's explicit DPGCN_BACKEND (js, wasm, native), or null: the worker's default. */
  backend: string | null;
}

/** The job's return value, before encodeExact. */
export interface FitJobResult {
  outcome: import('../experiment/run.js').FitOutcome;
  /** The data set's name (the experiment's header shows it). */
  dataset: string;
  /** Which worker ran it and on which backend. */
  worker: string;
  backend: string;
}

/** Progress a worker reports while fitting (BullMQ job progress). */
export interface FitProgress { done: number; total: number; worker: string }

/** BullMQ job name of every fit job. */
export const FIT_JOB = 'fit';
