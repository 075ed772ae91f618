/**
 * EASE (Steck 2019), the closed-form item-item model, and what the models
 * built on it share: the Gram matrix of the training interactions, the
 * weights B = I - P diagMat(1 / diag(P)) with P = (X^T X + lambda I)^-1
 * (zero diagonal, so a user's own item never votes for itself), a row-wise
 * pruning of B for serving, and the scores S = X B of every user.
 */
import { UserError } from '../errors.js';
import { userItemSets, type UserItems } from '../data/negative.js';
import type { Interactions } from '../data/types.js';
import { spdInverse } from '../linalg/spd.js';
import { topKIndices } from '../util/select.js';

/**
 * EASE needs an n x n dense inverse: 16,384 items is 1 GiB of float32 for P,
 * and about n^3 flops (a minute natively); beyond that the item-item term is
 * not offered.
 */
export const EASE_MAX_ITEMS = 16384;

export function checkEaseSize(what: string, numItems: number): void {
  if (numItems > EASE_MAX_ITEMS) {
    throw new UserError(`${what}: ${numItems} items exceed EASE's limit of ${EASE_MAX_ITEMS} (it inverts a dense items x items matrix)`);
  }
}

/** Each user's distinct training items (sorted). */
export function trainSets(numUsers: number, it: Interactions): UserItems {
  return userItemSets(numUsers, it.user, it.item);
}

/** G = X^T X (n x n, row-major) of the binary user x item matrix X. */
export function gram(sets: UserItems, numUsers: number, n: number): Float32Array {
  const G = new Float32Array(n * n);
  for (let u = 0; u < numUsers; u++) {
    const a = sets.ptr[u], b = sets.ptr[u + 1];
    for (let p = a; p < b; p++) {
      const row = sets.items[p] * n;
      for (let q = a; q < b; q++) G[row + sets.items[q]] += 1;
    }
  }
  return G;
}

/** B (n x n, row j = the weights item j gives every candidate) from G and lambda; G is left untouched. */
export function easeWeights(G: Float32Array, n: number, lambda: number): Float32Array {
  const A = G.slice();
  for (let i = 0; i < n; i++) A[i * n + i] += lambda;
  const P = spdInverse(A, n);
  // B_ji = -P_ji / P_ii (column i scaled by 1/P_ii), B_ii = 0
  const inv = new Float32Array(n);
  for (let i = 0; i < n; i++) inv[i] = 1 / P[i * n + i];
  for (let j = 0; j < n; j++) {
    const row = j * n;
    for (let i = 0; i < n; i++) P[row + i] = -P[row + i] * inv[i];
    P[row + j] = 0;
  }
  return P;
}

/** S = X B (users x n): each user's score for every item, the sum of their items' rows of B. */
export function userScores(B: Float32Array, sets: UserItems, numUsers: number, n: number): Float32Array {
  const S = new Float32Array(numUsers * n);
  for (let u = 0; u < numUsers; u++) {
    const out = S.subarray(u * n, (u + 1) * n);
    for (let p = sets.ptr[u]; p < sets.ptr[u + 1]; p++) {
      const row = B.subarray(sets.items[p] * n, (sets.items[p] + 1) * n);
      for (let i = 0; i < n; i++) out[i] += row[i];
    }
  }
  return S;
}

/** B pruned to the `keep` largest |B_ji| of each row j (ties: the lower index), as CSR (rows: history item, columns: candidate). */
export function pruneRows(B: Float32Array, n: number, keep: number): { rowPtr: Int32Array; colIdx: Int32Array; values: Float32Array } {
  const k = Math.min(keep, n);
  const rowPtr = new Int32Array(n + 1), colIdx = new Int32Array(n * k), values = new Float32Array(n * k);
  const mag = new Float32Array(n), scratch = new Float32Array(n);
  let w = 0;
  for (let j = 0; j < n; j++) {
    const row = B.subarray(j * n, (j + 1) * n);
    for (let i = 0; i < n; i++) mag[i] = Math.abs(row[i]);
    for (const i of topKIndices(mag, k, scratch)) { if (row[i] === 0) continue; colIdx[w] = i; values[w] = row[i]; w++; }
    rowPtr[j + 1] = w;
  }
  return { rowPtr, colIdx: colIdx.slice(0, w), values: values.slice(0, w) };
}

export type PrunedWeights = ReturnType<typeof pruneRows>;

/**
 * Pruned EASE weights already made, by the interactions they were fit on and
 * then lambda and keep. A dp-gcn fit selects lambda by fitting EASE on the
 * selection split, then builds its item-item term on that same split at the
 * chosen lambda: without this, the Gram matrix and the inverse were computed
 * again. Held weakly: an entry goes with its split.
 */
const prunedCache = new WeakMap<Interactions, Map<string, PrunedWeights>>();

export function sharePrunedWeights(it: Interactions, lambda: number, keep: number, w: PrunedWeights): void {
  const m = prunedCache.get(it) ?? new Map<string, PrunedWeights>();
  m.set(`${lambda}/${keep}`, w);
  prunedCache.set(it, m);
}

/** EASE's weights on it at lambda pruned to keep per row: from the cache, or computed. */
export function prunedEaseWeights(it: Interactions, sets: UserItems, numUsers: number, n: number, lambda: number, keep: number): PrunedWeights {
  const hit = prunedCache.get(it)?.get(`${lambda}/${keep}`);
  return hit ?? pruneRows(easeWeights(gram(sets, numUsers, n), n, lambda), n, keep);
}

/** S = X B for a CSR B (users x n). */
export function userScoresSparse(B: { rowPtr: Int32Array; colIdx: Int32Array; values: Float32Array }, sets: UserItems, numUsers: number, n: number): Float32Array {
  const S = new Float32Array(numUsers * n);
  for (let u = 0; u < numUsers; u++) {
    const o = u * n;
    for (let p = sets.ptr[u]; p < sets.ptr[u + 1]; p++) {
      const j = sets.items[p];
      for (let q = B.rowPtr[j]; q < B.rowPtr[j + 1]; q++) S[o + B.colIdx[q]] += B.values[q];
    }
  }
  return S;
}
