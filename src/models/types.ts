/**
 * The contract between models, the trainer and the experiment runner. A model
 * maps a batch of (user, item, query, history) instances to logits; the
 * trainer owns batching, negatives, the optimiser and early stopping, so every
 * model is trained and evaluated the same way.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import type { Rng } from '../tensor/rng.js';
import type { Dataset, Interactions } from '../data/types.js';
import type { CsrMatrix } from '../sparse/csr.js';
import type { DecisionLayer } from './decision.js';

/** One minibatch. history is (B x maxLen), oldest first, padded with -1. */
export interface Batch {
  readonly size: number;
  user: Int32Array;
  item: Int32Array;
  /** Query issued before the instance, -1 = none. */
  query: Int32Array;
  time: Float64Array;
  history: Int32Array;
  historyLen: Int32Array;
  maxLen: number;
  /** Targets (training and evaluation); absent at serving time. */
  label?: Float32Array;
  /**
   * Serving only: the decision layer's action (actionDim values) used for every row in place of the
   * actor's mu(s) (exploration; the batch is one user's candidates in one context).
   */
  action?: Float32Array;
}

export interface ModelConfig {
  /** Embedding size shared by all models (default 64; the paper used 128). */
  dim: number;
  /** Hidden sizes of MLP heads. */
  hidden: number[];
  dropout: number;
  lr: number;
  weightDecay: number;
  batchSize: number;
  epochs: number;
  maxLen: number;
  /** GCN: propagation layers and aggregation (Eqs. 2-3). */
  gcnLayers: number;
  aggregation: 'mean' | 'sym' | 'max';
  /** DDPG decision layer: strength of the action's adjustment (beta) and episodes per epoch. */
  beta: number;
  ddpgEpisodes: number;
  /** PNN's product layer (default inner). */
  pnnProduct?: 'inner' | 'outer';
  /**
   * Training objective: 'bce' (pointwise, default) or 'bpr' (pairwise, ranking
   * protocols only; the epoch is then selected on validation NDCG@10).
   */
  loss?: 'bce' | 'bpr';
  /** BPR: sampled negatives per training positive (default 1). */
  negatives?: number;
  /**
   * Graph models' scoring head: 'mlp' (the fusion MLP of Eq. 6, the CTR protocols' default) or 'dot'
   * (two towers whose inner product is the logit, the ranking protocols' default; see dot_head.ts).
   */
  head?: 'mlp' | 'dot';
  /** Dot-head and factorisation models: L2 weight on the batch's ego embeddings (LightGCN's reg). */
  l2?: number;
  /** Validation every this many epochs (default 1), and stop after `patience` checks without a better score. */
  evalEvery?: number;
  patience?: number;
  /** dp-gcn's item-item term: EASE's lambda (selected on validation when absent) and the entries kept per row. */
  easeLambda?: number;
  itemItemKeep?: number;
}

/**
 * Chosen for `npm start` (7 models x 3 seeds in about 5 minutes on 2 cores):
 * batch 1024 with lr 4e-3 reaches the validation peak of batch 512 / lr 2e-3
 * in half the steps, and validation AUC on another market seed (synthetic:
 * seed=11, DIN protocol) is flat from epoch 4 to 6, falling after; dropout
 * 0.2 and weight decay 1e-5 did not raise it there.
 */
export const DEFAULT_CONFIG: ModelConfig = {
  dim: 64, hidden: [128, 64], dropout: 0, lr: 4e-3, weightDecay: 1e-6, batchSize: 1024, epochs: 5,
  maxLen: 20, gcnLayers: 2, aggregation: 'sym', beta: 0.5, ddpgEpisodes: 64,
};

/** What a model may see when it is built: the data set, the training interactions only, config, seeded Rng. */
export interface ModelContext {
  dataset: Dataset;
  /** Interactions the model may learn structure from (no validation/test targets). */
  trainInteractions: Interactions;
  config: ModelConfig;
  rng: Rng;
}

export interface Model {
  readonly name: string;
  /** Owns every trainable parameter (for the optimiser and checkpoints). */
  readonly module: Module;
  /** Logits (B,1) for the batch; `training` enables dropout and exploration. */
  forward(batch: Batch, training: boolean): Tensor;
  /** Extra work after each epoch (the DDPG decision layer trains here). */
  afterEpoch?(epoch: number, rng: Rng): void;
  /**
   * Evaluation with fixed parameters (many forward calls, no training step in
   * between): the model may cache what does not depend on the batch until the
   * returned release is called. Graph models propagate once instead of per call.
   */
  freeze?(): () => void;
  /** Returns backend memory the model holds besides its parameters (graph models: the graph's resident copies) now. */
  dispose?(): void;
  /**
   * Models whose score factorises expose it for serving (call while frozen, or the model freezes itself):
   * score(u, i) = <user[u], item[i]> + itemBias[i] + sum over j in the user's history of itemItem[j, i].
   * Serving then scores a user with one pass over the item table (scoreTopK) instead of the forward.
   */
  servingTables?(): ServingTables;
  /**
   * Logits of every item (numItems) for one user in a context (their history, oldest first), equal to
   * forward's logits on those pairs; called while frozen. Ranking evaluation uses it instead of batched
   * forwards when present: the user side is computed once per user.
   */
  scoreItems?(user: number, history: ArrayLike<number>, action?: Float32Array): Float32Array;
  /**
   * Models with a decision layer (null without one): its state for one user in a context (the actor's input), as forward
   * and scoreItems build it while frozen. With `action` (Batch.action, scoreItems' third argument) the
   * model scores with that action instead of mu(state): exploration at serving time.
   */
  decisionState?(user: number, history: ArrayLike<number>): Float32Array | null;
  /**
   * Models fitted in closed form (no gradient steps): the experiment calls fit(value) instead of the
   * trainer, for each value of grid on the selection split, keeps the best validation NDCG@10, then fits
   * the final model once with it.
   */
  closedForm?: {
    hyper: string; grid: number[]; /** used without a validation split */ initial: number; fit(value: number): void;
    /**
     * From now on, every fit also keeps what a model taking this one's weights as an input needs (EASE's
     * rows pruned to `keep`, for dp-gcn's item-item term), so that model does not fit them again.
     */
    share?(keep: number): void;
  };
  /**
   * A scoring-time setting chosen after training on validation NDCG@10 (dp-gcn's share of the item-item
   * term): the experiment tries each value of grid on the selection model and sets the best on the refit.
   */
  postHoc?: { hyper: string; grid: number[]; set(value: number): void };
  /** A penalty added to the training loss of a step (LightGCN's L2 on the batch's ego embeddings). */
  penalty?(batch: Batch): Tensor | null;
  /** The decision layer (d-gcn, dp-gcn); null or absent on models without one. */
  readonly decision?: DecisionLayer | null;
  /** Decision-layer state inputs: the mean static-feature vector of each user (dp-gcn), or null. */
  staticMean?(users: Int32Array): Float32Array | null;
  /** Decision-layer state inputs: the item rows the history part of the state averages. */
  stateItemTable?(): Float32Array;
  /** The heterogeneous graph the model propagates over; the model file stores its relations' CSRs. */
  readonly graph?: { adj: Record<string, CsrMatrix> };
}

/** A factorised scorer (see Model.servingTables). Row-major tables; itemItem is a CSR over (history item j, candidate i). */
export interface ServingTables {
  dim: number;
  /** numUsers x dim. */
  user: Float32Array;
  /** numItems x dim. */
  item: Float32Array;
  /** numItems, or null. */
  itemBias: Float32Array | null;
  /** Sparse item-item weights (rows: a history item, columns: a candidate), or null. */
  itemItem: { rowPtr: Int32Array; colIdx: Int32Array; values: Float32Array } | null;
}

/** The paper's seven models (`--models all`). */
export type PaperModelName = 'embedding-mlp' | 'wide-deep' | 'pnn' | 'din' | 'gcn' | 'd-gcn' | 'dp-gcn';
export const MODEL_NAMES: PaperModelName[] = ['embedding-mlp', 'wide-deep', 'pnn', 'din', 'gcn', 'd-gcn', 'dp-gcn'];
/** The field's strong simple baselines a recommender is compared against first. */
export type BaselineName = 'pop' | 'ease' | 'bpr-mf' | 'lightgcn';
export const BASELINE_NAMES: BaselineName[] = ['pop', 'ease', 'bpr-mf', 'lightgcn'];
export type ModelName = PaperModelName | BaselineName;
