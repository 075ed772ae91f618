/**
 * Order statistics without a sort: the k-th largest of a range by
 * quickselect (expected O(n)). Pruning EASE's rows kept the 256 largest of
 * each 9,724-wide row with a full comparator sort per row, which cost more
 * than the matrix inverse itself.
 */

/** The k-th largest value (k >= 1) of a; a is reordered (pass a scratch copy). NaN is not ordered: keep it out. */
export function kthLargest(a: Float32Array | Float64Array, k: number): number {
  const n = a.length;
  if (!(k >= 1 && k <= n)) throw new RangeError(`kthLargest: k = ${k} outside [1, ${n}]`);
  // the k-th largest is the element at position k-1 of a descending order
  const target = k - 1;
  let lo = 0, hi = n - 1;
  while (hi > lo) {
    // median of three as the pivot, so sorted and reversed rows stay linear
    const mid = (lo + hi) >> 1;
    const x = a[lo], y = a[mid], z = a[hi];
    const pivot = x > y ? (y > z ? y : x > z ? z : x) : (x > z ? x : y > z ? z : y);
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] > pivot) i++;
      while (a[j] < pivot) j--;
      if (i <= j) { const t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    // [lo, j] >= pivot, [i, hi] <= pivot, (j, i) == pivot
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target];
  }
  return a[target];
}

/**
 * The indices of the k largest values of a (ties broken by the lower index),
 * in ascending index order: what sorting by (value desc, index asc) and
 * taking the first k gives, in O(n). scratch (length >= a.length) is clobbered.
 */
export function topKIndices(a: Float32Array, k: number, scratch: Float32Array = new Float32Array(a.length)): Int32Array {
  const n = a.length, m = Math.min(k, n);
  if (m <= 0) return new Int32Array(0);
  if (m === n) return Int32Array.from({ length: n }, (_, i) => i);
  const s = scratch.subarray(0, n);
  s.set(a);
  const thr = kthLargest(s, m);
  let above = 0;
  for (let i = 0; i < n; i++) if (a[i] > thr) above++;
  let ties = m - above;
  const out = new Int32Array(m);
  let w = 0;
  for (let i = 0; i < n; i++) {
    const v = a[i];
    if (v > thr) out[w++] = i;
    else if (v === thr && ties > 0) { out[w++] = i; ties--; }
  }
  return out;
}
