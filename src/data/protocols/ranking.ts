/**
 * Ranking protocols: per user, training items and held-out test items, and
 * three candidate sets for top-k metrics: 'full' (every item the user has not
 * interacted with in training, the LightGCN / MS-Recommenders convention),
 * 'sampled' (the held-out items plus 100 sampled items the user never
 * touched), and 'rated' (only the user's own held-out rated items, relevance
 * by rating threshold: the DRR convention). The temporal split holds out the
 * last testFraction of each user's interactions (at least one).
 */
import type { Dataset, Interactions } from '../types.js';
import type { Rng } from '../../tensor/rng.js';
import { userItemSets, hasItem, type UserItems } from '../negative.js';
import { keptInteractions } from './common.js';

export type CandidateMode = 'full' | 'sampled' | 'rated';

export interface RankingSplit {
  protocol: 'ranking' | 'ms-recommenders' | 'ms-recommenders-user';
  dataset: Dataset;
  numUsers: number; numItems: number;
  /** Per-user sorted distinct item lists. */
  train: UserItems; val: UserItems; test: UserItems;
  /** Held-out test items counted relevant (rating >= threshold when one is set). */
  relevant: UserItems;
  /** Per user, `negatives` sampled items outside train, val and test. */
  sampled: UserItems;
  /** Interactions the graph may use (training only). */
  graphInteractions: Interactions;
}

export interface RankingOptions {
  rng: Rng;
  testFraction?: number; valFraction?: number;
  /** Relevance threshold on ratings for `relevant` (default: every held-out item is relevant). */
  threshold?: number;
  /** Sampled candidates per user (default 100). */
  negatives?: number;
}

/** Builds a RankingSplit from a per-interaction role (0 train, 1 val, 2 test). */
export function rankingFromRoles(ds: Dataset, role: Uint8Array, opts: RankingOptions, protocol: RankingSplit['protocol']): RankingSplit {
  const it = ds.interactions;
  // a repeated (user, item) pair with one copy in training is a training item: held out, it could
  // never be ranked (candidates exclude training items) and its pair would still be in the graph
  const pick = (r: number, relevantOnly = false, train?: UserItems) => {
    const us: number[] = [], is: number[] = [];
    for (let k = 0; k < it.length; k++) {
      if (role[k] !== r) continue;
      if (relevantOnly && opts.threshold !== undefined && it.rating && it.rating[k] < opts.threshold) continue;
      if (train && hasItem(train, it.user[k], it.item[k])) continue;
      us.push(it.user[k]); is.push(it.item[k]);
    }
    return userItemSets(ds.numUsers, us, is);
  };
  const train = pick(0), val = pick(1, false, train), test = pick(2, false, train), relevant = pick(2, true, train);
  const all = userItemSets(ds.numUsers, it.user, it.item);
  const nNeg = opts.negatives ?? 100;
  const ptr = new Int32Array(ds.numUsers + 1), out: number[] = [];
  for (let u = 0; u < ds.numUsers; u++) {
    const free = ds.numItems - (all.ptr[u + 1] - all.ptr[u]);
    const want = test.ptr[u + 1] > test.ptr[u] ? Math.min(nNeg, free) : 0;
    const got = new Set<number>();
    while (got.size < want) { const i = opts.rng.int(ds.numItems); if (!hasItem(all, u, i)) got.add(i); }
    out.push(...[...got].sort((a, b) => a - b));
    ptr[u + 1] = out.length;
  }
  const heldOut = Uint8Array.from(role, (r) => (r === 0 ? 0 : 1));
  return { protocol, dataset: ds, numUsers: ds.numUsers, numItems: ds.numItems, train, val, test, relevant,
    sampled: { ptr, items: Int32Array.from(out) }, graphInteractions: keptInteractions(ds, heldOut) };
}

/** Temporal split: each user's last testFraction (>= 1 item) to test, the valFraction before it to val. */
export function rankingSplit(ds: Dataset, opts: RankingOptions): RankingSplit {
  const testF = opts.testFraction ?? 0.2, valF = opts.valFraction ?? 0;
  const role = new Uint8Array(ds.interactions.length);
  for (let u = 0; u < ds.numUsers; u++) {
    const a = ds.userPtr[u], b = ds.userPtr[u + 1], n = b - a;
    if (n < 2) continue;
    const nTest = Math.max(1, Math.round(n * testF));
    const nVal = valF > 0 && n - nTest >= 2 ? Math.max(1, Math.round(n * valF)) : 0;
    for (let k = b - nTest; k < b; k++) role[k] = 2;
    for (let k = b - nTest - nVal; k < b - nTest; k++) role[k] = 1;
  }
  return rankingFromRoles(ds, role, opts, 'ranking');
}

function slice(s: UserItems, u: number): Int32Array { return s.items.subarray(s.ptr[u], s.ptr[u + 1]); }

/** Candidate items to rank for user u under `mode` (sorted, distinct). */
export function candidates(split: RankingSplit, u: number, mode: CandidateMode): Int32Array {
  if (mode === 'full') {
    const tr = slice(split.train, u);
    const out = new Int32Array(split.numItems - tr.length);
    for (let i = 0, p = 0, w = 0; i < split.numItems; i++) {
      if (p < tr.length && tr[p] === i) { p++; continue; }
      out[w++] = i;
    }
    return out;
  }
  if (mode === 'sampled') return Int32Array.from(new Set([...slice(split.test, u), ...slice(split.sampled, u)])).sort();
  return slice(split.test, u).slice();
}

/** The relevant held-out items of user u (sorted). */
export function relevantItems(split: RankingSplit, u: number): Int32Array { return slice(split.relevant, u); }
/** The training items of user u (sorted). */
export function trainItems(split: RankingSplit, u: number): Int32Array { return slice(split.train, u); }
/**
 * Users with at least one relevant test item (those a ranking metric averages
 * over). Under ms-recommenders also at least one training item: the
 * benchmark scores only users its models were trained on.
 */
export function testUsers(split: RankingSplit): Int32Array {
  const us: number[] = [], needTrain = split.protocol === 'ms-recommenders';
  for (let u = 0; u < split.numUsers; u++) {
    if (split.relevant.ptr[u + 1] === split.relevant.ptr[u]) continue;
    if (needTrain && split.train.ptr[u + 1] === split.train.ptr[u]) continue;
    us.push(u);
  }
  return Int32Array.from(us);
}
