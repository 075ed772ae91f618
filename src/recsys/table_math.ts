/**
 * The arithmetic of the tables path that does not need a backend: top-k
 * selection over a score array, the exact dot of one table row, the sparse
 * item-item term of a history, and the merge of both into the answer. Pure
 * (no Node APIs, nothing but types imported) so the browser bundle
 * (src/web/) runs the very code the server runs and gets the same answers.
 */
import type { Kernels } from '../backend/kernels.js';

export interface TopK { items: Int32Array; scores: Float32Array }

/** A CSR over (history item j, candidate i), as ServingTables.itemItem. */
export interface ItemItemCsr { rowPtr: Int32Array; colIdx: Int32Array; values: Float32Array }

/** The kernels the tables path calls (a Backend's, or the browser's own wasm glue). */
export type TableKernels = Pick<Kernels, 'scoreTopK' | 'scoreI8'> & Partial<Pick<Kernels, 'boundCandidates'>>;

/** Selects the k best of n scores (descending, lower index first on ties) skipping excluded ones. */
export function selectTopK(scores: Float32Array, n: number, exclude: Uint8Array, k: number, idxOut: Int32Array, scOut: Float32Array): number {
  let count = 0, worst = -Infinity;
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (count === k && !(s > worst)) continue;
    if (exclude[i]) continue;
    let pos = count < k ? count++ : k - 1;
    while (pos > 0 && s > scOut[pos - 1]) { scOut[pos] = scOut[pos - 1]; idxOut[pos] = idxOut[pos - 1]; pos--; }
    scOut[pos] = s; idxOut[pos] = i;
    if (count === k) worst = scOut[k - 1];
  }
  return count;
}

/** Merges a sorted top list with extra (item, score) pairs into the best k. */
export function merge(idx: Int32Array, sc: Float32Array, n: number, extra: Map<number, number>, k: number): TopK {
  const all: [number, number][] = [];
  for (let j = 0; j < n; j++) all.push([idx[j], sc[j]]);
  for (const [i, s] of extra) all.push([i, s]);
  all.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const top = all.slice(0, k);
  return { items: Int32Array.from(top, (t) => t[0]), scores: Float32Array.from(top, (t) => t[1]) };
}

/** <table row i, q> over width w, summed in order (the exact score of an item the kernel's pass skipped). */
export function dotRow(table: Float32Array, w: number, q: Float32Array, i: number): number {
  let s = 0;
  for (let c = 0; c < w; c++) s += table[i * w + c] * q[c];
  return Math.fround(s);
}

/** Items the item-item term reaches from the history (history items >= trainedItems have no row), with the term's value. */
export function itemItemTerm(ii: ItemItemCsr | null, history: ArrayLike<number>, exclude: Uint8Array, trainedItems: number): Map<number, number> | null {
  if (!ii) return null;
  const out = new Map<number, number>();
  for (const j of Array.from(history)) {
    if (j >= trainedItems) continue;
    for (let p = ii.rowPtr[j]; p < ii.rowPtr[j + 1]; p++) {
      const i = ii.colIdx[p];
      if (!exclude[i]) out.set(i, (out.get(i) ?? 0) + ii.values[p]);
    }
  }
  return out;
}

/** The exclusion mask with the sparse term's items added (they are scored exactly, outside the kernel's pass). */
export function maskWith(exclude: Uint8Array, nItems: number, sp: Map<number, number> | null): Uint8Array {
  if (!sp || sp.size === 0) return exclude;
  const ex = exclude.slice(0, nItems);
  for (const i of sp.keys()) ex[i] = 1;
  return ex;
}

/** The sparse items become exact extra candidates, merged with the kernel's top list. */
export function finish(table: Float32Array, w: number, q: Float32Array, k: number, sp: Map<number, number> | null,
  idx: Int32Array, sc: Float32Array, n: number): TopK {
  const extra = new Map<number, number>();
  if (sp) for (const [i, v] of sp) extra.set(i, Math.fround(dotRow(table, w, q, i) + v));
  return merge(idx, sc, n, extra, k);
}
