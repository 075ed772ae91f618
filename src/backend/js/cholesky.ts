/**
 * Reference SPD kernels: unblocked, and entirely in float64 (the input is
 * widened once, the result rounded once), so they are an oracle that is more
 * accurate than the float32 blocked kernels of wasm and native, not just a
 * second opinion. Loops run along rows so every inner loop is contiguous.
 */
import { NotPositiveDefiniteError } from '../../errors.js';

/** Lower triangle of a (n x n) widened to float64; the upper part is zero. */
function lower64(a: Float32Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) l[i * n + j] = a[i * n + j];
  return l;
}

/** In-place float64 Cholesky of the lower triangle of l; returns -1 or the failing column. */
function factor64(l: Float64Array, n: number): number {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = l[ri + j];
      for (let p = 0; p < j; p++) s -= l[ri + p] * l[rj + p];
      if (i === j) {
        if (!(s > 0)) return j;
        l[ri + j] = Math.sqrt(s);
      } else {
        l[ri + j] = s / l[rj + j];
      }
    }
  }
  return -1;
}

export function cholesky(a: Float32Array, n: number): void {
  const l = lower64(a, n);
  // Rows are factored in order, so the first failing row names the first bad pivot.
  const bad = factor64(l, n);
  if (bad >= 0) throw new NotPositiveDefiniteError('cholesky', bad);
  for (let i = 0; i < n * n; i++) a[i] = l[i];
}

export function trsm(l: Float32Array, b: Float32Array, n: number, m: number, trans: boolean): void {
  const x = Float64Array.from(b.subarray(0, n * m));
  if (!trans) {
    // row i: x_i = (b_i - sum_{p<i} L[i,p] x_p) / L[i,i]
    for (let i = 0; i < n; i++) {
      const xi = i * m;
      for (let p = 0; p < i; p++) {
        const c = l[i * n + p];
        if (c === 0) continue;
        const xp = p * m;
        for (let j = 0; j < m; j++) x[xi + j] -= c * x[xp + j];
      }
      const d = l[i * n + i];
      for (let j = 0; j < m; j++) x[xi + j] /= d;
    }
  } else {
    // row i from the bottom: x_i = (b_i - sum_{p>i} L[p,i] x_p) / L[i,i]
    for (let i = n - 1; i >= 0; i--) {
      const xi = i * m;
      for (let p = i + 1; p < n; p++) {
        const c = l[p * n + i];
        if (c === 0) continue;
        const xp = p * m;
        for (let j = 0; j < m; j++) x[xi + j] -= c * x[xp + j];
      }
      const d = l[i * n + i];
      for (let j = 0; j < m; j++) x[xi + j] /= d;
    }
  }
  for (let i = 0; i < n * m; i++) b[i] = x[i];
}

export function choleskyInverse(a: Float32Array, n: number): void {
  const l = lower64(a, n);
  // inv = L^-1 row by row: row_i = (e_i - sum_{p<i} L[i,p] row_p) / L[i,i]
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    inv[ri + i] = 1;
    for (let p = 0; p < i; p++) {
      const c = l[ri + p];
      if (c === 0) continue;
      const rp = p * n;
      for (let j = 0; j <= p; j++) inv[ri + j] -= c * inv[rp + j];
    }
    const d = l[ri + i];
    for (let j = 0; j <= i; j++) inv[ri + j] /= d;
  }
  // lower(A^-1) = lower(inv^T inv): a rank-1 update per row p of inv
  const out = new Float64Array(n * n);
  for (let p = 0; p < n; p++) {
    const rp = p * n;
    for (let i = 0; i <= p; i++) {
      const c = inv[rp + i];
      if (c === 0) continue;
      const ri = i * n;
      for (let j = 0; j <= i; j++) out[ri + j] += c * inv[rp + j];
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = out[i * n + j];
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
}
