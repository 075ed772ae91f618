/**
 * Dense symmetric positive-definite algebra for models (EASE's closed form
 * P = (X^T X + lambda I)^-1), on the current backend's blocked kernels:
 * `cholesky`, `trsm` and `choleskyInverse` of src/backend/kernels.ts.
 * Inputs are never modified; results live in the backend's storage (wasm
 * memory for wasm, so later kernels read them without copying) and are
 * reclaimed by the garbage collector, or earlier with `backend.free`.
 *
 * Precision: wasm and native factor and multiply in float32 (diagonal blocks
 * with float64 accumulators), so the error of P grows like cond(A) * 1e-7;
 * the js backend computes in float64 and rounds once. A non-SPD input throws
 * NotPositiveDefiniteError (a KernelArgumentError) naming the pivot.
 */
import type { Backend } from '../backend/kernels.js';
import { currentBackend } from '../backend/registry.js';
import { checkLen, checkSize } from '../backend/validate.js';

function copyOn(b: Backend, a: Float32Array, len: number): Float32Array {
  const out = b.allocF32(len);
  out.set(a.subarray(0, len));
  return out;
}

/** L with A = L L^T (n x n, zeros above the diagonal); only the lower triangle of a is read. */
export function choleskyFactor(a: Float32Array, n: number, backend: Backend = currentBackend()): Float32Array {
  checkSize('choleskyFactor', 'n', n);
  checkLen('choleskyFactor', 'a', a, n * n);
  const l = copyOn(backend, a, n * n);
  try {
    backend.kernels.cholesky(l, n);
  } catch (e) {
    backend.free(l);
    throw e;
  }
  return l;
}

/** A^-1 (n x n, both triangles) of a symmetric positive-definite a; only its lower triangle is read. */
export function spdInverse(a: Float32Array, n: number, backend: Backend = currentBackend()): Float32Array {
  const p = choleskyFactor(a, n, backend);
  backend.kernels.choleskyInverse(p, n);
  return p;
}

/** X (n x m) with A X = B for a symmetric positive-definite a (n x n); b is (n x m). */
export function choleskySolve(a: Float32Array, b: Float32Array, n: number, m: number,
  backend: Backend = currentBackend()): Float32Array {
  checkSize('choleskySolve', 'm', m);
  checkLen('choleskySolve', 'b', b, n * m);
  const l = choleskyFactor(a, n, backend);
  const x = copyOn(backend, b, n * m);
  backend.kernels.trsm(l, x, n, m, false);
  backend.kernels.trsm(l, x, n, m, true);
  backend.free(l);
  return x;
}
