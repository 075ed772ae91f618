/**
 * Sparse-dense products over a constant CSR matrix: spmm (Y = A X, the GCN
 * propagation) and max-pool aggregation. A has no gradient; dX = A^T dY uses
 * A's cached transpose, so the backward is a row-parallel spmm too. Both run
 * on A's structure validated once per backend (CsrMatrix.structureOn).
 */
import type { CsrMatrix } from '../../sparse/csr.js';
import { Tensor, empty } from '../../tensor/tensor.js';
import { record, gradOf } from '../engine.js';
import { currentBackend } from '../../backend/registry.js';
import { shapeError } from './util.js';

/** A: CSR (R,C), x: (C,d) -> (R,d). */
export function spmm(a: CsrMatrix, x: Tensor): Tensor {
  if (x.ndim !== 2 || x.shape[0] !== a.cols) shapeError('spmm', `x must have ${a.cols} rows (A is ${a.rows}x${a.cols})`, x.shape);
  const d = x.shape[1];
  const y = empty([a.rows, d]);
  const b = currentBackend(), r = a.residentOn(b);
  b.kernels.spmmCsr(a.structureOn(b), r.values, x.data, y.data, d, 0);
  return record('spmm', y, [x], (dy) => {
    const t = a.transpose(), rt = t.residentOn(b);
    b.kernels.spmmCsr(t.structureOn(b), rt.values, dy, gradOf(x), d, 1);
  });
}

/**
 * Max-pool aggregation (Eq. 3): y[i,c] = max over neighbours j of row i of x[j,c]; empty rows give 0.
 * A: CSR (R,C) (values ignored), x: (C,d) -> (R,d).
 */
export function segmentMax(a: CsrMatrix, x: Tensor): Tensor {
  if (x.ndim !== 2 || x.shape[0] !== a.cols) shapeError('segmentMax', `x must have ${a.cols} rows`, x.shape);
  const d = x.shape[1];
  const y = empty([a.rows, d]);
  const b = currentBackend();
  const arg = b.allocI32(a.rows * d);
  b.kernels.segmentMaxCsr(a.structureOn(b), x.data, y.data, arg, d);
  // arg lives as long as the tape needs it: freed once the backward ran, when y is disposed, or at once without a tape
  return record('segmentMax', y, [x], (dy) => b.kernels.segmentMaxBackward(arg, dy, gradOf(x), a.rows, a.cols, d), () => b.free(arg));
}
