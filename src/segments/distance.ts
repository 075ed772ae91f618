/**
 * Squared Euclidean distances through the GEMM kernel:
 *   ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2,
 * the cross term for a whole block of rows in one matmul. Norms are summed in
 * float64; a result below zero (cancellation) is clamped to 0.
 */
import { tensor } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';
import { noGrad } from '../autograd/engine.js';
import { matmul } from '../autograd/ops/matmul.js';

/** Row-major points: n rows of d values. */
export interface Points { data: Float32Array; n: number; d: number }

export function rowNorms(x: Float32Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * d, e = j + d; j < e; j++) s += x[j] * x[j];
    out[i] = s;
  }
  return out;
}

/** (n x k) squared distances of x's rows to c's rows; pass xNorm (rowNorms of x) to reuse it across calls. */
export function sqDistances(x: Float32Array, n: number, c: Float32Array, k: number, d: number, xNorm?: Float64Array): Float32Array {
  const xn = xNorm ?? rowNorms(x, n, d), cn = rowNorms(c, k, d);
  const out = new Float32Array(n * k);
  if (n === 0 || k === 0) return out;
  // blocks bound the temporary (rows x k) product on the backend's heap
  const block = Math.max(1, Math.floor((1 << 22) / Math.max(k, d)));
  tidy(() => noGrad(() => {
    const ct = tensor(c, [k, d]);
    for (let r0 = 0; r0 < n; r0 += block) {
      const r1 = Math.min(n, r0 + block);
      const xt = tensor(x.subarray(r0 * d, r1 * d), [r1 - r0, d]);
      const dot = matmul(xt, ct, { transB: true }).data;
      for (let i = r0; i < r1; i++) {
        for (let j = 0, o = i * k, p = (i - r0) * k; j < k; j++) {
          const v = xn[i] - 2 * dot[p + j] + cn[j];
          out[o + j] = v > 0 ? v : 0;
        }
      }
      xt.dispose();
    }
  }));
  return out;
}
