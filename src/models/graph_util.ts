/** Small helpers shared by the graph models. */
import type { Dataset, Interactions } from '../data/types.js';
import type { CsrMatrix } from '../sparse/csr.js';
import { indexOfSorted } from '../util/sorted.js';

/**
 * The data set's logged shown negative of each training interaction (-1 = none).
 * Training interactions are a per-user subsequence of ds.interactions (both
 * sorted by user, time), so one merge walk per user aligns them.
 */
export function alignShownNegatives(ds: Dataset, train: Interactions): Int32Array | null {
  const sn = ds.shownNegative;
  if (!sn) return null;
  const all = ds.interactions, out = new Int32Array(train.length).fill(-1);
  let k = 0;
  for (let u = 0; u < ds.numUsers; u++) {
    let p = ds.userPtr[u];
    const end = ds.userPtr[u + 1];
    for (; k < train.length && train.user[k] === u; k++) {
      while (p < end && !(all.item[p] === train.item[k] && all.time[p] === train.time[k])) p++;
      if (p < end) out[k] = sn[p++];
    }
  }
  return out;
}

/** Position of entry (r, c) in a's arrays, or -1 (columns are sorted within rows). */
export function findEntry(a: CsrMatrix, r: number, c: number): number {
  return indexOfSorted(a.colIdx, c, a.rowPtr[r], a.rowPtr[r + 1]);
}
