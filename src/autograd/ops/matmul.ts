/** Dense products: matmul with transpose flags and the row-wise dot. */
import { Tensor, empty } from '../../tensor/tensor.js';
import { record, gradOf } from '../engine.js';
import { K, shapeError } from './util.js';

export interface MatmulOptions { transA?: boolean; transB?: boolean }

/**
 * op(a) op(b): a (m,k) or (k,m) with transA; b (k,n) or (n,k) with transB -> (m,n).
 * @example matmul(x, w)            // x (N,F), w (F,H) -> (N,H)
 *          matmul(q, items, { transB: true })
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const ta = !!opts.transA, tb = !!opts.transB;
  if (a.ndim !== 2 || b.ndim !== 2) shapeError('matmul', 'both operands must be 2-D', a.shape, b.shape);
  const [m, k] = ta ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [k2, n] = tb ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (k !== k2) shapeError('matmul', `inner dims differ (${k} vs ${k2}${ta || tb ? `, transA=${ta}, transB=${tb}` : ''})`, a.shape, b.shape);
  const c = empty([m, n]);
  K().gemm(a.data, b.data, c.data, m, n, k, ta, tb, 1, 0);
  return record('matmul', c, [a, b], (dy) => {
    const kern = K();
    // dA = dY op(B)^T (stored per ta), dB = op(A)^T dY (stored per tb); beta = 1 accumulates
    if (a.requiresGrad) {
      if (!ta) kern.gemm(dy, b.data, gradOf(a), m, k, n, false, !tb, 1, 1);
      else kern.gemm(b.data, dy, gradOf(a), k, m, n, tb, true, 1, 1);
    }
    if (b.requiresGrad) {
      if (!tb) kern.gemm(a.data, dy, gradOf(b), k, n, m, !ta, false, 1, 1);
      else kern.gemm(dy, a.data, gradOf(b), n, k, m, true, ta, 1, 1);
    }
  });
}

/** y[i] = <a[i,:], b[i,:]>. a, b: (m,n) -> (m,1). */
export function rowDot(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 2 || b.ndim !== 2 || a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) {
    shapeError('rowDot', 'operands must be 2-D with equal shapes', a.shape, b.shape);
  }
  const [m, n] = a.shape;
  const y = empty([m, 1]);
  K().rowDot(a.data, b.data, y.data, m, n);
  return record('rowDot', y, [a, b], (dy) => {
    // binaryBackward('mul', ., col-broadcast dy, upstream = other operand) adds other[i,j] * dy[i]
    if (a.requiresGrad) K().binaryBackward('mul', b.data, dy, b.data, gradOf(a), null, m, n, 'col');
    if (b.requiresGrad) K().binaryBackward('mul', a.data, dy, a.data, gradOf(b), null, m, n, 'col');
  });
}
