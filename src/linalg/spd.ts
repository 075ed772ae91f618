/**
 * TEMPORARY (replaced by the kernel contract's blocked Cholesky when it lands):
 * the inverse of a symmetric positive-definite n x n matrix through a float64
 * Cholesky factorisation, A = L L^T, A^-1 = L^-T L^-1.
 */
import { KernelArgumentError } from '../errors.js';

export function spdInverse(a: Float32Array, n: number): Float32Array {
  const L = Float64Array.from(a);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = L[rj + j];
    for (let k = 0; k < j; k++) d -= L[rj + k] * L[rj + k];
    if (!(d > 0)) throw new KernelArgumentError(`spdInverse: matrix is not positive definite (pivot ${j} is ${d})`);
    const s = Math.sqrt(d);
    L[rj + j] = s;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let v = L[ri + j];
      for (let k = 0; k < j; k++) v -= L[ri + k] * L[rj + k];
      L[ri + j] = v / s;
    }
  }
  // M = L^-1 (lower), by forward substitution column by column
  const M = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    M[c * n + c] = 1 / L[c * n + c];
    for (let i = c + 1; i < n; i++) {
      let v = 0;
      for (let k = c; k < i; k++) v -= L[i * n + k] * M[k * n + c];
      M[i * n + c] = v / L[i * n + i];
    }
  }
  // A^-1 = M^T M
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let v = 0;
      for (let k = i; k < n; k++) v += M[k * n + i] * M[k * n + j];
      out[i * n + j] = v; out[j * n + i] = v;
    }
  }
  return out;
}
