/**
 * What CTR protocols hand to models: instance sets (user, item, label, query,
 * time, and the behaviour history before each instance) for train, val and
 * test, plus the interactions the graph may be built from: everything except
 * the val and test targets, so no held-out interaction leaks into message
 * passing. Histories are index ranges into the data set's (user, time)-sorted
 * item column, truncated to the last maxLen behaviours.
 */
import type { Dataset, Interactions } from '../types.js';
import { Column, makeInteractions } from '../build.js';
import { userItemSets, uniformSampler, popularitySampler, type NegativeSampler } from '../negative.js';
import type { Rng } from '../../tensor/rng.js';

export interface InstanceSet {
  readonly length: number;
  user: Int32Array; item: Int32Array; label: Float32Array; query: Int32Array; time: Float64Array;
  /** History of instance k: split.seqItems[histStart[k] .. histEnd[k]) (oldest first, at most maxLen). */
  histStart: Int32Array; histEnd: Int32Array;
}

export type CtrProtocol = 'din' | 'dien' | 'leave-last';
/** Where negatives come from: the logged shown-but-not-clicked item (synthetic, csv with labels) or sampling. */
export type NegativeSource = 'shown' | 'uniform' | 'popularity';

export interface CtrSplit {
  protocol: CtrProtocol;
  dataset: Dataset;
  train: InstanceSet; val: InstanceSet; test: InstanceSet;
  /** Interactions the graph may use (training only: no val/test targets). */
  graphInteractions: Interactions;
  /** The data set's items sorted by (user, time): histories index into it. */
  seqItems: Int32Array;
  maxLen: number;
  negatives: NegativeSource;
}

export interface CtrOptions {
  rng: Rng;
  /** Longest behaviour history kept (default 50). */
  maxLen?: number;
  /** Default: 'shown' when the data set logs shown negatives, else 'uniform'. */
  negatives?: NegativeSource;
}

/** The history items of instance k (a view, oldest first). */
export function history(split: CtrSplit, set: InstanceSet, k: number): Int32Array {
  return split.seqItems.subarray(set.histStart[k], set.histEnd[k]);
}

/** Histories of instances idx as a (B x maxLen) matrix, oldest first, padded with -1, plus lengths. */
export function historyBatch(split: CtrSplit, set: InstanceSet, idx: ArrayLike<number>, maxLen = split.maxLen): { items: Int32Array; lengths: Int32Array } {
  const items = new Int32Array(idx.length * maxLen).fill(-1), lengths = new Int32Array(idx.length);
  for (let b = 0; b < idx.length; b++) {
    const k = idx[b];
    const start = Math.max(set.histStart[k], set.histEnd[k] - maxLen);
    const h = split.seqItems.subarray(start, set.histEnd[k]);
    items.set(h, b * maxLen); lengths[b] = h.length;
  }
  return { items, lengths };
}

/** Collects instances; pair() adds a positive (interaction k) and its negative(s). */
export class InstanceBuilder {
  private u = new Column(Int32Array); private i = new Column(Int32Array); private l = new Column(Float32Array);
  private q = new Column(Int32Array); private t = new Column(Float64Array);
  private hs = new Column(Int32Array); private he = new Column(Int32Array);
  private readonly derived: boolean;
  constructor(private readonly ds: Dataset, private readonly maxLen: number, private readonly neg: (k: number) => number) {
    this.derived = queriesDeriveFromItems(ds);
  }

  /**
   * Positive at sorted interaction k plus `negatives` negatives sharing its user, query, time and history.
   * Where queries are derived from the clicked item (no search log: ml-100k genres, Amazon category
   * paths), that query would name the positive's category and leak the label against sampled
   * negatives; the instance then carries the user's previous query instead (-1 for the first).
   */
  pair(k: number, negatives = 1): void {
    const it = this.ds.interactions, u = it.user[k];
    const hs = Math.max(this.ds.userPtr[u], k - this.maxLen);
    const q = !this.derived ? it.query[k] : k > this.ds.userPtr[u] ? it.query[k - 1] : -1;
    this.push(u, it.item[k], 1, q, it.time[k], hs, k);
    for (let r = 0; r < negatives; r++) this.push(u, this.neg(r === 0 ? k : -1 - k), 0, q, it.time[k], hs, k);
  }
  private push(u: number, i: number, l: number, q: number, t: number, hs: number, he: number): void {
    this.u.push(u); this.i.push(i); this.l.push(l); this.q.push(q); this.t.push(t); this.hs.push(hs); this.he.push(he);
  }
  build(): InstanceSet {
    return { length: this.u.length, user: this.u.toArray(), item: this.i.toArray(), label: this.l.toArray(),
      query: this.q.toArray(), time: this.t.toArray(), histStart: this.hs.toArray(), histEnd: this.he.toArray() };
  }
}

/**
 * negFor(k): a negative item for sorted interaction k. k >= 0 may use the logged
 * shown negative; k < 0 (extra negatives for interaction -1-k) always samples.
 */
export function negativeSource(ds: Dataset, opts: CtrOptions): { source: NegativeSource; negFor: (k: number) => number } {
  const source = opts.negatives ?? (ds.shownNegative ? 'shown' : 'uniform');
  const it = ds.interactions;
  const seen = userItemSets(ds.numUsers, it.user, it.item);
  const sampler: NegativeSampler = source === 'popularity'
    ? popularitySampler(ds.numItems, it.item, seen) : uniformSampler(ds.numItems, seen);
  const rng = opts.rng;
  const negFor = (k: number): number => {
    const kk = k >= 0 ? k : -1 - k;
    if (k >= 0 && source === 'shown' && ds.shownNegative) {
      const x = ds.shownNegative[k];
      if (x >= 0 && x !== it.item[k]) return x;
    }
    return sampler.sample(it.user[kk], rng);
  };
  return { source, negFor };
}

/** The interactions with heldOut[k] = 0 (already sorted by user, time). */
export function keptInteractions(ds: Dataset, heldOut: Uint8Array): Interactions {
  const it = ds.interactions;
  let n = 0;
  for (let k = 0; k < it.length; k++) if (!heldOut[k]) n++;
  const idx = new Int32Array(n);
  for (let k = 0, w = 0; k < it.length; k++) if (!heldOut[k]) idx[w++] = k;
  const pick = <T extends Int32Array | Float32Array | Float64Array>(a: T): T => {
    const out = new (a.constructor as new (m: number) => T)(n);
    for (let w = 0; w < n; w++) out[w] = a[idx[w]];
    return out;
  };
  return makeInteractions(pick(it.user), pick(it.item), pick(it.time), it.rating ? pick(it.rating) : null, pick(it.query));
}

const derivedCache = new WeakMap<Dataset, boolean>();

/**
 * True when every interaction's query is a function of its item (each item always
 * appears under the same query): queries were derived from item metadata, not logged.
 */
export function queriesDeriveFromItems(ds: Dataset): boolean {
  const hit = derivedCache.get(ds);
  if (hit !== undefined) return hit;
  const it = ds.interactions, q = new Int32Array(ds.numItems).fill(-2);
  let derived = true, any = false;
  for (let k = 0; k < it.length && derived; k++) {
    const i = it.item[k], x = it.query[k];
    if (x >= 0) any = true;
    if (q[i] === -2) q[i] = x;
    else if (q[i] !== x) derived = false;
  }
  derivedCache.set(ds, derived && any);
  return derived && any;
}
