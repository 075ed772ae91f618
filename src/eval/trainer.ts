/**
 * The one training loop every model goes through: Adam on binary
 * cross-entropy over shuffled minibatches, each step inside tidy so
 * intermediates are freed at once. After each epoch the model is scored on
 * the validation set; the parameters of the best validation AUC are kept
 * (test data never enters selection). Models with a decision layer do their
 * extra work in afterEpoch, before validation, so it is selected on too.
 */
import { Adam } from '../optim/adam.js';
import { backward } from '../autograd/engine.js';
import { bceWithLogits } from '../autograd/ops/loss.js';
import { tidy } from '../tensor/scope.js';
import type { Rng } from '../tensor/rng.js';
import type { InstanceSet } from '../data/protocols/common.js';
import type { ModelConfig, Recommender } from '../models/types.js';
import { makeBatch, shuffledBatches, type HistorySource } from './batches.js';
import { scoreSet } from './evaluate.js';
import { auc } from './metrics.js';

export interface TrainData { src: HistorySource; train: InstanceSet; val: InstanceSet }

export interface EpochInfo { epoch: number; epochs: number; loss: number; valAuc: number; seconds: number }

export interface TrainOptions {
  config: ModelConfig;
  rng: Rng;
  /** Stop after this many epochs without a better validation AUC (default: never). */
  patience?: number;
  onEpoch?(info: EpochInfo): void;
  /** Called after every step (progress bars). */
  onStep?(done: number, total: number): void;
}

export interface TrainResult {
  /** Mean training loss per epoch. */
  loss: number[];
  /** Validation AUC per epoch (NaN when the validation set has one class or none). */
  valAuc: number[];
  /** 1-based epoch whose parameters were kept (the last one when validation is unavailable). */
  bestEpoch: number;
  bestValAuc: number;
  trainSeconds: number;
}

/** AUC that is NaN, not an error, when a set is empty or has one class. */
export function safeAuc(scores: Float32Array, labels: Float32Array): number {
  let pos = 0;
  for (let k = 0; k < labels.length; k++) if (labels[k] > 0.5) pos++;
  if (pos === 0 || pos === labels.length) return NaN;
  return auc(scores, labels);
}

export function trainModel(model: Recommender, data: TrainData, opts: TrainOptions): TrainResult {
  const { config, rng } = opts;
  const t0 = performance.now();
  const params = model.module.parameters();
  const opt = new Adam(params, { lr: config.lr, weightDecay: config.weightDecay });
  const n = data.train.length;
  const stepsPerEpoch = Math.ceil(n / Math.max(1, config.batchSize));
  const total = stepsPerEpoch * config.epochs;
  const loss: number[] = [], valAuc: number[] = [];
  let best = -Infinity, bestEpoch = 0, bestState: ReturnType<typeof model.module.stateDict> | null = null;
  let since = 0, done = 0;
  for (let e = 0; e < config.epochs; e++) {
    const te = performance.now();
    let sum = 0;
    for (const idx of shuffledBatches(n, config.batchSize, rng)) {
      const batch = makeBatch(data.src, data.train, idx, config.maxLen);
      sum += tidy(() => {
        opt.zeroGrad();
        const l = bceWithLogits(model.forward(batch, true), batch.label!);
        backward(l);
        opt.step();
        return l.item();
      }) * idx.length;
      opts.onStep?.(++done, total);
    }
    model.afterEpoch?.(e, rng);
    loss.push(n ? sum / n : NaN);
    const va = data.val.length ? safeAuc(scoreSet(model, data.src, data.val, config), data.val.label) : NaN;
    valAuc.push(va);
    if (Number.isNaN(va)) {
      bestEpoch = e + 1; bestState = null; // no validation: keep the latest parameters
    } else if (va > best) {
      best = va; bestEpoch = e + 1; since = 0;
      bestState = e + 1 < config.epochs ? model.module.stateDict() : null; // the last epoch's are already in place
    } else {
      since++;
    }
    opts.onEpoch?.({ epoch: e + 1, epochs: config.epochs, loss: loss[e], valAuc: va, seconds: (performance.now() - te) / 1000 });
    if (opts.patience !== undefined && since >= opts.patience) break;
  }
  if (bestState && bestEpoch !== loss.length) model.module.loadStateDict(bestState);
  return { loss, valAuc, bestEpoch, bestValAuc: best === -Infinity ? NaN : best, trainSeconds: (performance.now() - t0) / 1000 };
}
