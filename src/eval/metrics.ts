/**
 * Evaluation metrics as pure functions on plain or typed arrays.
 *
 * CTR metrics (AUC, GAUC, RelaImpr) follow DIN (Zhou et al. 2018). Ranking
 * metrics use binary relevance and follow the MS-Recommenders definitions:
 * precision@k divides by k even when the list is shorter, so a model cannot
 * gain by returning fewer items.
 *
 * Undefined cases: AUC and GAUC throw when no positive/negative pair exists
 * (that is a broken test set, not a score); GAUC throws MetricUndefinedError
 * then, which `gaucOrNaN` alone turns into NaN. Every other failure (lengths,
 * non-finite scores) is an error wherever it happens. Per-user ranking metrics return
 * NaN for a user with no relevant items; `rankingMetrics` skips such users and
 * reports how many it skipped.
 */

import { DpgcnError } from '../errors.js';

export type Scores = ArrayLike<number>;
/** Binary labels: 0 is negative, anything else positive. */
export type Labels = ArrayLike<number>;
export type ItemIds = ArrayLike<number>;
export type Relevant = ReadonlySet<number> | ArrayLike<number>;

/** A metric that has no value on this input (GAUC when no user has both classes), as opposed to bad input. */
export class MetricUndefinedError extends DpgcnError {}

function checkLengths(what: string, a: ArrayLike<number>, b: ArrayLike<number>, an: string, bn: string): void {
  if (a.length !== b.length) throw new DpgcnError(`${what}: ${an} has ${a.length} entries but ${bn} has ${b.length}`);
}

/**
 * Rank-sum AUC (Mann-Whitney U / (P*N)) over idx[from, to), which must be
 * sorted by ascending score. Tied scores share their average rank, so a tie
 * between a positive and a negative counts one half. NaN if one class is absent.
 */
function aucSorted(idx: Uint32Array, from: number, to: number, scores: Scores, labels: Labels): number {
  let pos = 0, rankSumPos = 0;
  for (let i = from; i < to;) {
    const s = scores[idx[i]];
    let j = i + 1;
    while (j < to && scores[idx[j]] === s) j++;
    // Ranks (1-based within the segment) i-from+1 .. j-from share the mean rank.
    const avgRank = (i - from + 1 + (j - from)) / 2;
    for (let t = i; t < j; t++) if (labels[idx[t]] !== 0) { pos++; rankSumPos += avgRank; }
    i = j;
  }
  const neg = to - from - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

// Comparison, not subtraction: Infinity - Infinity is NaN and would break the sort.
function cmp(x: number, y: number): number { return x < y ? -1 : x > y ? 1 : 0; }

function checkScores(what: string, scores: Scores): void {
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw new DpgcnError(`${what}: score ${i} is NaN`);
  }
}

/** Area under the ROC curve; ties count one half. O(n log n). */
export function auc(scores: Scores, labels: Labels): number {
  checkLengths('auc', scores, labels, 'scores', 'labels');
  checkScores('auc', scores);
  const idx = new Uint32Array(scores.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  idx.sort((a, b) => cmp(scores[a], scores[b]));
  const r = aucSorted(idx, 0, idx.length, scores, labels);
  if (Number.isNaN(r)) {
    throw new DpgcnError(`auc: undefined with only one class among ${scores.length} labels (need at least one positive and one negative)`);
  }
  return r;
}

/**
 * Group AUC as in DIN: the mean of per-user AUCs weighted by each user's
 * number of impressions. Users whose samples are all of one class have no AUC
 * and are skipped (their weight too).
 */
export function gauc(users: ArrayLike<number>, scores: Scores, labels: Labels): number {
  checkLengths('gauc', users, scores, 'users', 'scores');
  checkLengths('gauc', scores, labels, 'scores', 'labels');
  checkScores('gauc', scores);
  const idx = new Uint32Array(scores.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  // One sort by (user, score) gives every user's samples as a sorted segment.
  idx.sort((a, b) => cmp(users[a], users[b]) || cmp(scores[a], scores[b]));
  let weighted = 0, weight = 0;
  for (let i = 0; i < idx.length;) {
    const u = users[idx[i]];
    let j = i + 1;
    while (j < idx.length && users[idx[j]] === u) j++;
    const a = aucSorted(idx, i, j, scores, labels);
    if (!Number.isNaN(a)) { weighted += a * (j - i); weight += j - i; }
    i = j;
  }
  if (weight === 0) throw new MetricUndefinedError('gauc: no user has both a positive and a negative sample');
  return weighted / weight;
}

/**
 * GAUC, or NaN when it is undefined (no user has both classes: one impression
 * per user, say). Bad input (lengths, non-finite scores) still throws.
 */
export function gaucOrNaN(users: ArrayLike<number>, scores: Scores, labels: Labels): number {
  try {
    return gauc(users, scores, labels);
  } catch (e) {
    if (e instanceof MetricUndefinedError) return NaN;
    throw e;
  }
}

/**
 * Relative improvement over a base model, in percent (DIN's RelaImpr):
 * ((auc - 0.5) / (baseAuc - 0.5) - 1) * 100. NaN when the base is at chance
 * (0.5), where the ratio has no meaning.
 */
export function relaImpr(aucValue: number, baseAuc: number): number {
  if (baseAuc === 0.5) return NaN;
  return ((aucValue - 0.5) / (baseAuc - 0.5) - 1) * 100;
}

function toSet(relevant: Relevant): ReadonlySet<number> {
  if (relevant instanceof Set) return relevant;
  return new Set(Array.from(relevant as ArrayLike<number>));
}

function checkK(what: string, k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new DpgcnError(`${what}: k must be a positive integer, got ${k}`);
}

/**
 * Hit flags for the first min(k, length) ranks. A repeated item counts only at
 * its first rank, so duplicates in a list cannot inflate a score.
 */
function hitsAtK(ranked: ItemIds, rel: ReadonlySet<number>, k: number): boolean[] {
  const n = Math.min(k, ranked.length);
  const hits: boolean[] = new Array(n);
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const item = ranked[i];
    hits[i] = rel.has(item) && !seen.has(item);
    if (hits[i]) seen.add(item);
  }
  return hits;
}

function countHits(hits: boolean[]): number {
  let c = 0;
  for (const h of hits) if (h) c++;
  return c;
}

/** Relevant items in the top k, divided by k (not by the list length). */
export function precisionAtK(ranked: ItemIds, relevant: Relevant, k: number): number {
  checkK('precisionAtK', k);
  const rel = toSet(relevant);
  if (rel.size === 0) return NaN;
  return countHits(hitsAtK(ranked, rel, k)) / k;
}

/** Relevant items in the top k, divided by the number of relevant items. */
export function recallAtK(ranked: ItemIds, relevant: Relevant, k: number): number {
  checkK('recallAtK', k);
  const rel = toSet(relevant);
  if (rel.size === 0) return NaN;
  return countHits(hitsAtK(ranked, rel, k)) / rel.size;
}

/** 1 if any relevant item is in the top k, else 0. */
export function hitRateAtK(ranked: ItemIds, relevant: Relevant, k: number): number {
  checkK('hitRateAtK', k);
  const rel = toSet(relevant);
  if (rel.size === 0) return NaN;
  return countHits(hitsAtK(ranked, rel, k)) > 0 ? 1 : 0;
}

/**
 * NDCG@k with binary relevance: DCG = sum over hits of 1/log2(rank+1); the
 * ideal DCG puts min(k, |relevant|) hits at the top.
 */
export function ndcgAtK(ranked: ItemIds, relevant: Relevant, k: number): number {
  checkK('ndcgAtK', k);
  const rel = toSet(relevant);
  if (rel.size === 0) return NaN;
  const hits = hitsAtK(ranked, rel, k);
  let dcg = 0;
  for (let i = 0; i < hits.length; i++) if (hits[i]) dcg += 1 / Math.log2(i + 2);
  let idcg = 0;
  const ideal = Math.min(k, rel.size);
  for (let i = 0; i < ideal; i++) idcg += 1 / Math.log2(i + 2);
  return dcg / idcg;
}

/**
 * Average precision over the top k (default: the whole list): the mean of
 * precision@rank at each hit, divided by min(k, |relevant|) so that a list
 * too short to hold every relevant item can still reach 1.
 */
export function averagePrecision(ranked: ItemIds, relevant: Relevant, k: number = ranked.length): number {
  const rel = toSet(relevant);
  if (rel.size === 0) return NaN;
  if (k === 0) return 0;
  checkK('averagePrecision', k);
  const hits = hitsAtK(ranked, rel, k);
  let found = 0, sum = 0;
  for (let i = 0; i < hits.length; i++) if (hits[i]) { found++; sum += found / (i + 1); }
  return sum / Math.min(k, rel.size);
}

/**
 * MAP@k as the Microsoft Recommenders benchmark computes it (their `map_at_k`
 * of the published tables): the precision at each hit within the top k,
 * summed and divided by the number of relevant items (not min(k, |relevant|)).
 */
export function averagePrecisionMs(ranked: ItemIds, relevant: Relevant, k: number): number {
  checkK('averagePrecisionMs', k);
  const rel = toSet(relevant);
  if (rel.size === 0) return NaN;
  const hits = hitsAtK(ranked, rel, k);
  let found = 0, sum = 0;
  for (let i = 0; i < hits.length; i++) if (hits[i]) { found++; sum += found / (i + 1); }
  return sum / rel.size;
}

function checkLists(what: string, rankedLists: ReadonlyArray<ItemIds>, relevantSets: ReadonlyArray<Relevant>): void {
  if (rankedLists.length !== relevantSets.length) {
    throw new DpgcnError(`${what}: ${rankedLists.length} ranked lists but ${relevantSets.length} relevant sets`);
  }
}

/** Mean average precision over users with at least one relevant item. */
export function map(rankedLists: ReadonlyArray<ItemIds>, relevantSets: ReadonlyArray<Relevant>, k?: number): number {
  checkLists('map', rankedLists, relevantSets);
  let sum = 0, n = 0;
  for (let u = 0; u < rankedLists.length; u++) {
    const ap = averagePrecision(rankedLists[u], relevantSets[u], k ?? rankedLists[u].length);
    if (!Number.isNaN(ap)) { sum += ap; n++; }
  }
  if (n === 0) throw new DpgcnError('map: no user has a relevant item');
  return sum / n;
}

export interface MetricsAtK { precision: number; recall: number; ndcg: number; hitRate: number }
export interface RankingMetrics {
  /** Users averaged over (those with at least one relevant item). */
  users: number;
  /** Users skipped because their relevant set was empty. */
  skipped: number;
  /** Keyed by k. */
  at: Record<number, MetricsAtK>;
  /** MAP over each user's whole ranked list (NaN when lists were cut to the top max(ks): see rankingMetrics). */
  map: number;
  /** MAP@max(ks), the Microsoft Recommenders definition (averagePrecisionMs). */
  mapMs: number;
}

/** Averages every ranking metric over users, for each k in ks. */
export function rankingMetrics(
  rankedLists: ReadonlyArray<ItemIds>, relevantSets: ReadonlyArray<Relevant>, ks: readonly number[] = [5, 10, 20],
  opts: { truncated?: boolean } = {},
): RankingMetrics {
  checkLists('rankingMetrics', rankedLists, relevantSets);
  for (const k of ks) checkK('rankingMetrics', k);
  const at: Record<number, MetricsAtK> = {};
  for (const k of ks) at[k] = { precision: 0, recall: 0, ndcg: 0, hitRate: 0 };
  let users = 0, skipped = 0, apSum = 0, msSum = 0;
  const kMax = Math.max(...ks);
  for (let u = 0; u < rankedLists.length; u++) {
    const rel = toSet(relevantSets[u]);
    if (rel.size === 0) { skipped++; continue; }
    users++;
    const list = rankedLists[u];
    for (const k of ks) {
      const m = at[k];
      m.precision += precisionAtK(list, rel, k);
      m.recall += recallAtK(list, rel, k);
      m.ndcg += ndcgAtK(list, rel, k);
      m.hitRate += hitRateAtK(list, rel, k);
    }
    apSum += averagePrecision(list, rel);
    msSum += averagePrecisionMs(list, rel, kMax);
  }
  if (users === 0) throw new DpgcnError(`rankingMetrics: none of ${rankedLists.length} users has a relevant item`);
  for (const k of ks) {
    const m = at[k];
    m.precision /= users; m.recall /= users; m.ndcg /= users; m.hitRate /= users;
  }
  return { users, skipped, at, map: opts.truncated ? NaN : apSum / users, mapMs: msSum / users };
}

/**
 * Mean and sample standard deviation (n - 1). One value gives sd 0: a
 * single-seed run has no observed spread, and 0 keeps tables and error bars
 * printable where NaN would not.
 */
export function meanSd(values: ArrayLike<number>): { mean: number; sd: number } {
  const n = values.length;
  if (n === 0) throw new DpgcnError('meanSd: no values');
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  if (n === 1) return { mean, sd: 0 };
  let ss = 0;
  for (let i = 0; i < n; i++) { const d = values[i] - mean; ss += d * d; }
  return { mean, sd: Math.sqrt(ss / (n - 1)) };
}
