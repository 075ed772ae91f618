/**
 * Binary searches over sorted numeric arrays: membership in a sorted range
 * (per-user item lists, CSR rows) and drawing from a cumulative distribution
 * (the samplers). One implementation, so the edge cases are decided once.
 */

/** Position of x in the ascending range a[lo..hi), or -1. */
export function indexOfSorted(a: ArrayLike<number>, x: number, lo = 0, hi = a.length): number {
  hi--;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1, v = a[mid];
    if (v === x) return mid;
    if (v < x) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}

/**
 * The bucket k in [lo, hi) with cdf[k-1] <= x < cdf[k] of a non-decreasing
 * cumulative range; x at or past the total falls in the last bucket, so a
 * draw uniform() * total is always in range.
 */
export function cdfIndex(cdf: ArrayLike<number>, x: number, lo = 0, hi = cdf.length): number {
  hi--;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (cdf[mid] <= x) lo = mid + 1; else hi = mid; }
  return lo;
}
