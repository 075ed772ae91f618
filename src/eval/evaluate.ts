/**
 * Scoring and test metrics. CTR sets: global AUC, user-weighted GAUC and the
 * wall time to score the whole set. Ranking: each test user's candidates are
 * scored with the user's history and ranked; P/R/NDCG/hit rate at k and MAP
 * come from src/eval/metrics. Everything runs under noGrad in eval mode.
 */
import { noGrad } from '../autograd/engine.js';
import { tidy } from '../tensor/scope.js';
import type { InstanceSet } from '../data/protocols/common.js';
import type { ModelConfig, Model } from '../models/types.js';
import { makeBatch, sequentialBatches, candidateBatch, type HistorySource } from './batches.js';
import { auc, gaucOrNaN, rankingMetrics, type RankingMetrics } from './metrics.js';

/** Evaluation batches can be larger than training ones: no tape is kept. */
const EVAL_BATCH = 2048;

/** Runs fn with the model's parameters frozen (see Model.freeze). */
export function frozen<T>(model: Model, fn: () => T): T {
  const release = model.freeze?.();
  try { return fn(); } finally { release?.(); }
}

/** Logits of every instance of set. */
export function scoreSet(model: Model, src: HistorySource, set: InstanceSet, config: ModelConfig): Float32Array {
  const out = new Float32Array(set.length);
  let o = 0;
  frozen(model, () => noGrad(() => {
    for (const idx of sequentialBatches(set.length, EVAL_BATCH)) {
      const batch = makeBatch(src, set, idx, config.maxLen);
      tidy(() => { out.set(model.forward(batch, false).data, o); });
      o += idx.length;
    }
  }));
  return out;
}

export interface CtrMetrics { auc: number; gauc: number; seconds: number; scores: Float32Array }

export function evaluateCtr(model: Model, src: HistorySource, set: InstanceSet, config: ModelConfig): CtrMetrics {
  const t0 = performance.now();
  const scores = scoreSet(model, src, set, config);
  const seconds = (performance.now() - t0) / 1000;
  // NaN only when no user has both classes; a malformed set is an error
  return { auc: auc(scores, set.label), gauc: gaucOrNaN(set.user, scores, set.label), seconds, scores };
}

/** One ranking query per user: candidates to rank, the relevant ones, and the context to score them in. */
export interface RankingTask {
  users: Int32Array;
  candidates(u: number, k: number): Int32Array;
  relevant(u: number, k: number): ArrayLike<number>;
  /** History (oldest first), time and query of the k-th query. */
  history(u: number, k: number): ArrayLike<number>;
  time?(u: number, k: number): number;
  query?(u: number, k: number): number;
}

export interface RankingResult { metrics: RankingMetrics; seconds: number }

/** Candidates of one user sorted by descending score (ties by item id, so rankings are deterministic). */
export function rankCandidates(model: Model, user: number, items: Int32Array, history: ArrayLike<number>, config: ModelConfig,
  time = 0, query = -1): { items: Int32Array; scores: Float32Array } {
  const scores = new Float32Array(items.length);
  noGrad(() => {
    for (let o = 0; o < items.length; o += EVAL_BATCH) {
      const part = items.subarray(o, Math.min(items.length, o + EVAL_BATCH));
      const batch = candidateBatch(user, part, history, config.maxLen, time, query);
      tidy(() => { scores.set(model.forward(batch, false).data, o); });
    }
  });
  const order = Int32Array.from({ length: items.length }, (_, k) => k)
    .sort((a, b) => (scores[b] - scores[a]) || (items[a] - items[b]));
  return { items: Int32Array.from(order, (k) => items[k]), scores: Float32Array.from(order, (k) => scores[k]) };
}

/** The top n of candidates by scores[item] (descending, ties by item id), as rankCandidates orders them. */
export function topCandidates(scores: Float32Array, items: Int32Array, n: number): Int32Array {
  const top = new Int32Array(Math.min(n, items.length));
  let len = 0;
  for (let c = 0; c < items.length; c++) {
    const i = items[c], s = scores[i];
    if (len === top.length) {
      const w = top[len - 1], sw = scores[w];
      if (s < sw || (s === sw && i > w)) continue;
      len--;
    }
    let p = len;
    while (p > 0 && (scores[top[p - 1]] < s || (scores[top[p - 1]] === s && top[p - 1] > i))) { top[p] = top[p - 1]; p--; }
    top[p] = i; len++;
  }
  return top;
}

export function evaluateRanking(model: Model, task: RankingTask, config: ModelConfig, ks: number[] = [5, 10, 20]): RankingResult {
  const t0 = performance.now();
  const lists: Int32Array[] = [], rel: ArrayLike<number>[] = [];
  // a model that scores the whole catalogue for a user at once (no query) is ranked from that, top max(ks) only
  const whole = model.scoreItems && !task.query ? model.scoreItems.bind(model) : null;
  const kMax = Math.max(...ks);
  frozen(model, () => {
    for (let k = 0; k < task.users.length; k++) {
      const u = task.users[k];
      if (whole) {
        lists.push(topCandidates(whole(u, task.history(u, k)), task.candidates(u, k), kMax));
      } else {
        const ranked = rankCandidates(model, u, task.candidates(u, k), task.history(u, k), config, task.time?.(u, k) ?? 0, task.query?.(u, k) ?? -1);
        lists.push(ranked.items);
      }
      rel.push(task.relevant(u, k));
    }
  });
  const seconds = (performance.now() - t0) / 1000;
  return { metrics: rankingMetrics(lists, rel, ks, { truncated: whole !== null }), seconds };
}

/**
 * Next-item ranking for a CTR test set (the P@k / NDCG@k columns under the
 * DIN and DIEN protocols): each test positive is ranked among every item its
 * user had not interacted with before it, scored with the instance's history,
 * time and query. userStart[u] is where user u's behaviours begin in
 * src.seqItems (the data set's userPtr). At most maxUsers positives are used (the first ones) to
 * bound the cost of full ranking.
 */
export function nextItemTask(src: HistorySource, set: InstanceSet, numItems: number, userStart: Int32Array, maxUsers = Infinity): RankingTask {
  const pos: number[] = [];
  for (let k = 0; k < set.length && pos.length < maxUsers; k++) if (set.label[k] > 0.5) pos.push(k);
  const hist = (k: number) => src.seqItems.subarray(set.histStart[pos[k]], set.histEnd[pos[k]]);
  return {
    users: Int32Array.from(pos, (k) => set.user[k]),
    candidates: (u, k) => {
      const target = set.item[pos[k]];
      const seen = new Set<number>(src.seqItems.subarray(userStart[u], set.histEnd[pos[k]]));
      const out: number[] = [];
      for (let i = 0; i < numItems; i++) if (i === target || !seen.has(i)) out.push(i);
      return Int32Array.from(out);
    },
    relevant: (_u, k) => [set.item[pos[k]]],
    history: (_u, k) => hist(k),
    time: (_u, k) => set.time[pos[k]],
    query: (_u, k) => set.query[pos[k]],
  };
}
