/**
 * Instance sets to model batches. Histories are copied into the (B x maxLen)
 * padded layout of the Batch contract (oldest first, -1 padding), keeping the
 * most recent maxLen behaviours. Epoch order comes from a seeded Rng only.
 */
import type { Rng } from '../tensor/rng.js';
import type { Batch } from '../models/types.js';
import type { InstanceSet } from '../data/protocols/common.js';

/** What batching needs from a split: the item column histories index into. */
export interface HistorySource { seqItems: Int32Array; maxLen: number }

/** The instances idx of set as a Batch (labels included). */
export function makeBatch(src: HistorySource, set: InstanceSet, idx: ArrayLike<number>, maxLen = src.maxLen): Batch {
  const B = idx.length;
  const user = new Int32Array(B), item = new Int32Array(B), query = new Int32Array(B), label = new Float32Array(B);
  const time = new Float64Array(B), history = new Int32Array(B * maxLen).fill(-1), historyLen = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const k = idx[b];
    user[b] = set.user[k]; item[b] = set.item[k]; query[b] = set.query[k]; label[b] = set.label[k]; time[b] = set.time[k];
    const start = Math.max(set.histStart[k], set.histEnd[k] - maxLen);
    const h = src.seqItems.subarray(start, set.histEnd[k]);
    history.set(h, b * maxLen);
    historyLen[b] = h.length;
  }
  return { size: B, user, item, query, time, history, historyLen, maxLen, label };
}

/**
 * One user against many candidate items, all sharing the user's history
 * (ranking and `recommend`). history is oldest first; the last maxLen are kept.
 */
export function candidateBatch(user: number, items: Int32Array, history: ArrayLike<number>, maxLen: number, time = 0, query = -1): Batch {
  const B = items.length;
  const h = Array.from(history).slice(-maxLen);
  const hist = new Int32Array(B * maxLen).fill(-1);
  for (let b = 0; b < B; b++) for (let j = 0; j < h.length; j++) hist[b * maxLen + j] = h[j];
  return {
    size: B, user: new Int32Array(B).fill(user), item: items, query: new Int32Array(B).fill(query),
    time: new Float64Array(B).fill(time), history: hist, historyLen: new Int32Array(B).fill(h.length), maxLen,
  };
}

/** A shuffled permutation of 0..n-1 cut into batches (the last may be smaller). */
export function shuffledBatches(n: number, batchSize: number, rng: Rng): Int32Array[] {
  const perm = rng.shuffle(Int32Array.from({ length: n }, (_, k) => k));
  return cut(perm, batchSize);
}

/** 0..n-1 in order, cut into batches (evaluation). */
export function sequentialBatches(n: number, batchSize: number): Int32Array[] {
  return cut(Int32Array.from({ length: n }, (_, k) => k), batchSize);
}

function cut(a: Int32Array, size: number): Int32Array[] {
  const out: Int32Array[] = [];
  const s = Math.max(1, Math.floor(size));
  for (let i = 0; i < a.length; i += s) out.push(a.subarray(i, Math.min(a.length, i + s)));
  return out;
}

/**
 * Pairwise (BPR) batch: rows 0..B-1 are the positives idx of set; rows
 * r*B + b (r = 1..negatives) repeat positive b's user, query, time and
 * history with item negItems[(r-1)*B + b]. Labels are 1 then 0.
 */
export function pairBatch(src: HistorySource, set: InstanceSet, idx: ArrayLike<number>, negItems: Int32Array, maxLen = src.maxLen): Batch {
  const pos = makeBatch(src, set, idx, maxLen);
  const B = pos.size, R = 1 + Math.floor(negItems.length / Math.max(1, B));
  if (negItems.length !== (R - 1) * B) throw new Error(`pairBatch: ${negItems.length} negatives for ${B} positives`);
  const n = B * R;
  const user = new Int32Array(n), item = new Int32Array(n), query = new Int32Array(n), label = new Float32Array(n);
  const time = new Float64Array(n), history = new Int32Array(n * maxLen), historyLen = new Int32Array(n);
  for (let r = 0; r < R; r++) {
    user.set(pos.user, r * B); query.set(pos.query, r * B); time.set(pos.time, r * B);
    history.set(pos.history, r * B * maxLen); historyLen.set(pos.historyLen, r * B);
  }
  item.set(pos.item, 0); item.set(negItems, B); label.fill(1, 0, B);
  return { size: n, user, item, query, time, history, historyLen, maxLen, label };
}
