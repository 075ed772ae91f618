/**
 * Protocols, seeds and recipes: how one seed's split is built under a
 * protocol, the stable per-(seed, model, purpose) seeds that make runs paired,
 * and the configuration each model trains with. A seed fixes the split
 * (shared by all models of that seed, so comparisons are paired), each
 * model's initialisation and its batch order.
 */
import { traitsOf } from '../models/traits.js';
import { Rng } from '../tensor/rng.js';
import { UserError } from '../errors.js';
import type { Dataset, Interactions } from '../data/types.js';
import { dinSplit } from '../data/protocols/din.js';
import { dienSplit } from '../data/protocols/dien.js';
import { rankingSplit, type CandidateMode } from '../data/protocols/ranking.js';
import { msRecommendersSplit, msRecommendersUserSplit } from '../data/protocols/ms_recommenders.js';
import type { InstanceSet } from '../data/protocols/common.js';
import { oracleScores } from '../data/oracle.js';
import { DEFAULT_CONFIG, type ModelConfig, type ModelName } from '../models/types.js';
import { safeAuc, type TrainData } from '../eval/trainer.js';
import { nextItemTask, type RankingTask } from '../eval/evaluate.js';
import { rankingData, rankingTask } from '../eval/ranking_data.js';
import { gauc } from '../eval/metrics.js';
export type Protocol = 'din' | 'dien' | 'ranking' | 'ms-recommenders' | 'ms-recommenders-user';
export const PROTOCOLS: Protocol[] = ['din', 'dien', 'ranking', 'ms-recommenders', 'ms-recommenders-user'];
const SPLITS = { 'ranking': rankingSplit, 'ms-recommenders': msRecommendersSplit, 'ms-recommenders-user': msRecommendersUserSplit } as const;

/** One seed's data under a protocol, ready for any model. */
export interface PreparedSplit {
  protocol: Protocol;
  seed: number;
  train: TrainData;
  test: InstanceSet;
  graphInteractions: Interactions;
  task: RankingTask;
  /** AUC of the true click probabilities on the test set (synthetic data only). */
  oracleAuc?: number;
  /** GAUC of the true click probabilities: the within-user bound the oracle really is (see note at prepareSplit). */
  oracleGauc?: number;
  /**
   * Ranking protocols: a validation split carved out of the training split
   * (its items are out of the selection graph and the selection instances
   * too). A model is trained there to choose the epoch count on validation
   * NDCG@10, then refit on the whole training split (`train`, which has no
   * validation) for that many epochs; see fitModel.
   */
  selection?: { train: TrainData; graphInteractions: Interactions };
}

/** Share of each user's training items a ranking protocol's selection split holds out for validation. */
export const RANKING_VAL_FRACTION = 0.1;

export interface PrepareOptions { candidates?: CandidateMode; rankUsers?: number }

/** Builds the split of `seed` under protocol. */
export function prepareSplit(ds: Dataset, protocol: Protocol, seed: number, config: ModelConfig, opts: PrepareOptions = {}): PreparedSplit {
  const rng = new Rng(seed);
  const rankUsers = opts.rankUsers ?? 500;
  let out: PreparedSplit;
  if (protocol === 'din' || protocol === 'dien') {
    const split = protocol === 'din' ? dinSplit(ds, { rng, maxLen: config.maxLen }) : dienSplit(ds, { rng, maxLen: config.maxLen });
    out = { protocol, seed, train: { src: split, train: split.train, val: split.val }, test: split.test,
      graphInteractions: split.graphInteractions, task: nextItemTask(split, split.test, ds.numItems, ds.userPtr, rankUsers) };
  } else {
    // both splits start from the same seed and draw the same roles, so their test parts are identical
    const splitOf = (valFraction: number) => SPLITS[protocol](ds, { rng: new Rng(seed), valFraction });
    const split = splitOf(0), sel = splitOf(RANKING_VAL_FRACTION);
    const data = rankingData(split, { rng: rng.fork() }), selData = rankingData(sel, { rng: rng.fork() });
    out = { protocol, seed, train: { src: data.src, train: data.train, val: data.val, pairs: data.pairs }, test: data.test,
      graphInteractions: data.graphInteractions, task: rankingTask(split, data, opts.candidates ?? 'full'),
      selection: { train: { src: selData.src, train: selData.train, val: selData.val, pairs: selData.pairs }, graphInteractions: selData.graphInteractions } };
  }
  // NOTE: the true click probability is the optimal scorer within a user (GAUC), not
  // across users: each user contributes one positive and one negative however often
  // they click, so a model can beat the oracle's global AUC; its GAUC is the bound.
  if (ds.oracle && out.test.length) {
    const s = oracleScores(ds, out.test);
    out.oracleAuc = safeAuc(s, out.test.label);
    try { out.oracleGauc = gauc(out.test.user, s, out.test.label); } catch { /* one class per user: no GAUC */ }
  }
  return out;
}

/** A stable 31-bit seed for (seed, name, purpose): runs do not depend on what else runs. */
/** A stable 31-bit seed for (seed, name, purpose); a model draws as its seed family does (traitsOf). */
export function deriveSeed(seed: number, name: string, purpose: string): number {
  const key = traitsOf(name).seedFamily ?? name;
  let h = (seed | 0) ^ 0x811c9dc5;
  for (const ch of `${key}/${purpose}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return (h >>> 1) | 0;
}


export function isRankingProtocol(p: Protocol): p is keyof typeof SPLITS { return p in SPLITS; }

/**
 * What ranking protocols change in DEFAULT_CONFIG unless the caller sets it,
 * chosen on validation NDCG@10 only (dp-gcn, ml-100k, MS-Recommenders,
 * seed 1; README "Real data"): pointwise bce peaked at epoch 2 (0.136) and
 * then overfit, BPR kept rising to 0.155 by epoch 15, and dropout 0.3 in the
 * heads raised that to 0.161 at epoch 18. Every model gets the same loss and
 * budget.
 */
export const RANKING_DEFAULTS: Partial<ModelConfig> = { loss: 'bpr', epochs: 20, dropout: 0.3 };

/**
 * DEFAULT_CONFIG, then the protocol's defaults, then the model's recipe (ranking protocols), then the
 * caller's settings (a bad combination throws).
 */
export function configFor(protocol: Protocol, overrides: Partial<ModelConfig> = {}, model?: ModelName): ModelConfig {
  const ranking = isRankingProtocol(protocol);
  const recipe = ranking && model ? traitsOf(model).rankingRecipe ?? {} : {};
  const c: ModelConfig = { ...DEFAULT_CONFIG, hidden: [...DEFAULT_CONFIG.hidden], ...(ranking ? RANKING_DEFAULTS : {}), ...recipe, ...overrides };
  lossFor(protocol, c);
  return c;
}

/** The training objective (bce unless set); BPR needs the pairwise data only ranking protocols build. */
export function lossFor(protocol: Protocol, config: ModelConfig): 'bce' | 'bpr' {
  const l = config.loss ?? 'bce';
  if (l === 'bpr' && !isRankingProtocol(protocol)) throw new UserError(`--loss bpr: needs a ranking protocol (${Object.keys(SPLITS).join(', ')}), not ${protocol}`);
  return l;
}

