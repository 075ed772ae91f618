/**
 * Boundary checks run inside wasm before the index-carrying kernels: an
 * O(nnz) scan is several times faster here than in JS, which matters when
 * every SpMM call re-validates its CSR. They only report the first bad
 * position; the JS glue then re-runs src/backend/validate.ts to build the
 * error message, so messages are identical on every backend.
 */

// -1 if rowPtr[0] = 0 and rowPtr is non-decreasing over rows+1 entries, else the first bad index.
export function check_rowptr_i32(rowPtr: usize, rows: i32): i32 {
  if (load<i32>(rowPtr) != 0) return 0;
  let prev = 0;
  for (let i = 1; i <= rows; i++) {
    const v = load<i32>(rowPtr + (<usize>i << 2));
    if (v < prev) return i;
    prev = v;
  }
  return -1;
}

// -1 if every idx[i], i < n, lies in [lo, hi), else the first i that does not.
export function check_range_i32(idx: usize, n: i32, lo: i32, hi: i32): i32 {
  const vlo = i32x4.splat(lo), vhi = i32x4.splat(hi);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = idx + (<usize>i << 2);
    const x0 = v128.load(p), x1 = v128.load(p, 16), x2 = v128.load(p, 32), x3 = v128.load(p, 48);
    const bad = v128.or(
      v128.or(v128.or(i32x4.lt_s(x0, vlo), i32x4.ge_s(x0, vhi)), v128.or(i32x4.lt_s(x1, vlo), i32x4.ge_s(x1, vhi))),
      v128.or(v128.or(i32x4.lt_s(x2, vlo), i32x4.ge_s(x2, vhi)), v128.or(i32x4.lt_s(x3, vlo), i32x4.ge_s(x3, vhi))));
    if (v128.any_true(bad)) break;
  }
  for (; i < n; i++) {
    const v = load<i32>(idx + (<usize>i << 2));
    if (v < lo || v >= hi) return i;
  }
  return -1;
}
