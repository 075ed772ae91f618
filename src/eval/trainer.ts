/**
 * The one training loop every model goes through: Adam on binary
 * cross-entropy over shuffled minibatches, each step inside tidy so
 * intermediates are freed at once. After each epoch the model is scored on
 * the validation set; the parameters of the best validation AUC are kept
 * (test data never enters selection). Models with a decision layer do their
 * extra work in afterEpoch, before validation, so it is selected on too.
 *
 * config.loss 'bpr' (ranking protocols, which supply data.pairs): each step
 * takes a minibatch of training positives, draws config.negatives items per
 * positive that its user has no training interaction with (fresh every
 * epoch), scores positives and negatives in one forward pass and minimises
 * mean(softplus(s_neg - s_pos)) = -mean(log sigmoid(s_pos - s_neg)).
 *
 * Ranking protocols (data.pairs with validation users) keep the epoch with
 * the best validation NDCG@10 (the validation users' held-out items ranked
 * as evaluation ranks test items), whatever the loss.
 */
import { Adam } from '../optim/adam.js';
import { backward } from '../autograd/engine.js';
import { bceWithLogits } from '../autograd/ops/loss.js';
import { add, sub, softplus } from '../autograd/ops/elementwise.js';
import { mean } from '../autograd/ops/reduce.js';
import { slice, gatherRows } from '../autograd/ops/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import type { NegativeSampler } from '../data/negative.js';
import { tidy } from '../tensor/scope.js';
import type { Rng } from '../tensor/rng.js';
import type { InstanceSet } from '../data/protocols/common.js';
import type { ModelConfig, Model } from '../models/types.js';
import { makeBatch, pairBatch, shuffledBatches, type HistorySource } from './batches.js';
import { frozen, scoreSet, evaluateRanking, type RankingTask } from './evaluate.js';
import { auc } from './metrics.js';

/** What pairwise training needs beyond instances: a negative sampler over training items and a validation ranking task. */
export interface PairSource { negatives: NegativeSampler; valRanking: RankingTask }

export interface TrainData { src: HistorySource; train: InstanceSet; val: InstanceSet; pairs?: PairSource }

export interface EpochInfo { epoch: number; epochs: number; loss: number; valAuc: number; valNdcg10?: number; seconds: number }

export interface TrainOptions {
  config: ModelConfig;
  rng: Rng;
  /** Stop after this many epochs without a better validation score (default: never). */
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
  /** Validation NDCG@10 per epoch (ranking protocols with validation users). */
  valNdcg10?: number[];
  /** What selected the epoch: 'auc' or 'ndcg10' (ranking protocols with validation users). */
  selectedOn: 'auc' | 'ndcg10';
  trainSeconds: number;
}

/** Mean NDCG@10 of the validation ranking task (NaN without users). */
export function validationNdcg10(model: Model, task: RankingTask, config: ModelConfig): number {
  if (!task.users.length) return NaN;
  return evaluateRanking(model, task, config, [10]).metrics.at[10].ndcg;
}

/** BPR loss of logits (B*(1+R), 1) laid out as pairBatch lays them out: B positives, then R blocks of negatives. */
export function bprLoss(logits: Tensor, B: number, R: number): Tensor {
  const sPos = slice(logits, 0, B), sNeg = slice(logits, B, B * (1 + R));
  const rep = R === 1 ? sPos : gatherRows(sPos, Int32Array.from({ length: B * R }, (_, k) => k % B));
  return mean(softplus(sub(sNeg, rep)));
}

/** AUC that is NaN, not an error, when a set is empty or has one class. */
export function safeAuc(scores: Float32Array, labels: Float32Array): number {
  let pos = 0;
  for (let k = 0; k < labels.length; k++) if (labels[k] > 0.5) pos++;
  if (pos === 0 || pos === labels.length) return NaN;
  return auc(scores, labels);
}

export function trainModel(model: Model, data: TrainData, opts: TrainOptions): TrainResult {
  const { config, rng } = opts;
  const bpr = (config.loss ?? 'bce') === 'bpr';
  if (bpr && !data.pairs) throw new Error('trainModel: loss bpr needs a ranking protocol (pairwise data)');
  const R = Math.max(1, Math.floor(config.negatives ?? 1));
  const t0 = performance.now();
  const params = model.module.parameters();
  const opt = new Adam(params, { lr: config.lr, weightDecay: config.weightDecay });
  // bpr steps over training positives only (their negatives are drawn per epoch)
  const posIdx: Int32Array = bpr ? Int32Array.from(positives(data.train)) : new Int32Array(0);
  const n = bpr ? posIdx.length : data.train.length;
  const stepsPerEpoch = Math.ceil(n / Math.max(1, config.batchSize));
  const total = stepsPerEpoch * config.epochs;
  const loss: number[] = [], valAuc: number[] = [], valNdcg: number[] = [];
  // ranking protocols select on what they are evaluated on, whatever the loss
  const rankVal = !!data.pairs && data.pairs.valRanking.users.length > 0;
  let best = -Infinity, bestEpoch = 0, bestState: ReturnType<typeof model.module.stateDict> | null = null;
  let since = 0, done = 0;
  const every = Math.max(1, Math.floor(config.evalEvery ?? 1));
  const patience = opts.patience ?? config.patience;
  for (let e = 0; e < config.epochs; e++) {
    const te = performance.now();
    let sum = 0;
    for (const idx of shuffledBatches(n, config.batchSize, rng)) {
      let batch;
      if (bpr) {
        const rows = Int32Array.from(idx, (k) => posIdx[k]);
        const neg = new Int32Array(rows.length * R);
        for (let r = 0; r < R; r++) for (let b = 0; b < rows.length; b++) neg[r * rows.length + b] = data.pairs!.negatives.sample(data.train.user[rows[b]], rng);
        batch = pairBatch(data.src, data.train, rows, neg, config.maxLen);
      } else {
        batch = makeBatch(data.src, data.train, idx, config.maxLen);
      }
      const B = idx.length;
      sum += tidy(() => {
        opt.zeroGrad();
        const logits = model.forward(batch, true);
        const l = bpr ? bprLoss(logits, B, R) : bceWithLogits(logits, batch.label!);
        const pen = model.penalty?.(batch) ?? null;
        backward(pen ? add(l, pen) : l);
        opt.step();
        return l.item();
      }) * B;
      opts.onStep?.(++done, total);
    }
    model.afterEpoch?.(e, rng);
    loss.push(n ? sum / n : NaN);
    // validation every evalEvery epochs (and after the last): long recipes (LightGCN's hundreds of
    // epochs) would otherwise spend more time ranking validation users than training
    if ((e + 1) % every !== 0 && e + 1 < config.epochs) {
      valAuc.push(NaN);
      if (rankVal) valNdcg.push(NaN);
      opts.onEpoch?.({ epoch: e + 1, epochs: config.epochs, loss: loss[e], valAuc: NaN, seconds: (performance.now() - te) / 1000 });
      continue;
    }
    // one freeze for both scores: a graph model propagates once per validation, not once per score
    const [va, vn] = frozen(model, () => [
      data.val.length ? safeAuc(scoreSet(model, data.src, data.val, config), data.val.label) : NaN,
      rankVal ? validationNdcg10(model, data.pairs!.valRanking, config) : NaN,
    ]);
    valAuc.push(va);
    if (rankVal) valNdcg.push(vn);
    const score = rankVal ? vn : va;
    if (Number.isNaN(score)) {
      bestEpoch = e + 1; bestState = null; // no validation: keep the latest parameters
    } else if (score > best) {
      best = score; bestEpoch = e + 1; since = 0;
      bestState = e + 1 < config.epochs ? model.module.stateDict() : null; // the last epoch's are already in place
    } else {
      since++;
    }
    opts.onEpoch?.({ epoch: e + 1, epochs: config.epochs, loss: loss[e], valAuc: va, ...(rankVal ? { valNdcg10: vn } : {}),
      seconds: (performance.now() - te) / 1000 });
    if (patience !== undefined && since >= patience) break;
  }
  if (bestState && bestEpoch !== loss.length) model.module.loadStateDict(bestState);
  opt.dispose();
  const bestValAuc = rankVal ? (valAuc[bestEpoch - 1] ?? NaN) : (best === -Infinity ? NaN : best);
  return { loss, valAuc, bestEpoch, bestValAuc, ...(rankVal ? { valNdcg10: valNdcg } : {}), selectedOn: rankVal ? 'ndcg10' : 'auc',
    trainSeconds: (performance.now() - t0) / 1000 };
}

function positives(set: InstanceSet): number[] {
  const out: number[] = [];
  for (let k = 0; k < set.length; k++) if (set.label[k] > 0.5) out.push(k);
  return out;
}
