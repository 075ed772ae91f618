/** Shape ops: reshape, transpose, concat, slice, and gather rows (embedding lookup). */
import { Tensor, empty, sizeOf, shapeStr } from '../../tensor/tensor.js';
import { ShapeError } from '../../errors.js';
import { record, gradOf } from '../engine.js';
import { K, shapeError } from './util.js';

/** Same data, new shape (copied: storage is never shared between tensors). -1 infers one dim. */
export function reshape(x: Tensor, shape: number[]): Tensor {
  const inf = shape.indexOf(-1);
  if (inf >= 0) {
    const rest = shape.reduce((p, s, i) => (i === inf ? p : p * s), 1);
    shape = shape.slice();
    shape[inf] = rest === 0 ? 0 : x.size / rest;
  }
  if (!shape.every((s) => Number.isInteger(s) && s >= 0) || sizeOf(shape) !== x.size) {
    throw new ShapeError(`reshape: cannot view ${shapeStr(x.shape)} as ${shapeStr(shape)}`);
  }
  const y = empty(shape);
  y.data.set(x.data);
  return record('reshape', y, [x], (dy) => K().axpy(1, dy, gradOf(x), x.size));
}

/** x: (m,n) -> (n,m). */
export function transpose(x: Tensor): Tensor {
  if (x.ndim !== 2) shapeError('transpose', 'needs a 2-D tensor', x.shape);
  const [m, n] = x.shape;
  const y = empty([n, m]);
  K().transpose(x.data, y.data, n, m);
  return record('transpose', y, [x], (dy) => {
    const t = new Float32Array(m * n);
    K().transpose(dy, t, m, n);
    K().axpy(1, t, gradOf(x), m * n);
  });
}

/** Concatenates 2-D tensors along axis 0 (rows) or 1 (columns). */
export function concat(xs: Tensor[], axis: 0 | 1 = 1): Tensor {
  if (xs.length === 0) throw new ShapeError('concat: needs at least one tensor');
  for (const x of xs) if (x.ndim !== 2) shapeError('concat', 'needs 2-D tensors', x.shape);
  const other = 1 - axis;
  for (const x of xs) {
    if (x.shape[other] !== xs[0].shape[other]) shapeError('concat', `dim ${other} differs`, xs[0].shape, x.shape);
  }
  const total = xs.reduce((s, x) => s + x.shape[axis], 0);
  const shape = axis === 0 ? [total, xs[0].shape[1]] : [xs[0].shape[0], total];
  const y = empty(shape);
  const out = y.data, W = shape[1];
  let off = 0;
  for (const x of xs) {
    const [m, n] = x.shape;
    if (axis === 0) out.set(x.data, off * W);
    else for (let i = 0; i < m; i++) out.set(x.data.subarray(i * n, (i + 1) * n), i * W + off);
    off += x.shape[axis];
  }
  return record('concat', y, xs, (dy) => {
    let o = 0;
    for (const x of xs) {
      const [m, n] = x.shape;
      if (x.requiresGrad) {
        const g = gradOf(x);
        if (axis === 0) K().axpy(1, dy.subarray(o * W, (o + m) * W), g, m * n);
        else addColumns(dy, W, o, g, m, n);
      }
      o += x.shape[axis];
    }
  });
}

/** Rows [start, end) (axis 0) or columns (axis 1) of a 2-D tensor. */
export function slice(x: Tensor, start: number, end: number, axis: 0 | 1 = 0): Tensor {
  if (x.ndim !== 2) shapeError('slice', 'needs a 2-D tensor', x.shape);
  const [m, n] = x.shape;
  const lim = axis === 0 ? m : n;
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= lim)) {
    throw new ShapeError(`slice: range [${start}, ${end}) is outside axis ${axis} of ${shapeStr(x.shape)}`);
  }
  const w = end - start;
  const y = empty(axis === 0 ? [w, n] : [m, w]);
  if (axis === 0) y.data.set(x.data.subarray(start * n, end * n));
  else for (let i = 0; i < m; i++) y.data.set(x.data.subarray(i * n + start, i * n + end), i * w);
  return record('slice', y, [x], (dy) => {
    const g = gradOf(x);
    if (axis === 0) K().axpy(1, dy, g.subarray(start * n), w * n);
    else for (let i = 0; i < m; i++) for (let j = 0; j < w; j++) g[i * n + start + j] += dy[i * w + j];
  });
}

/**
 * Embedding lookup: out[i] = table[idx[i]]. table: (R,d), idx: (B) -> (B,d).
 * The backward scatter-adds rows, so repeated indices accumulate.
 */
export function gatherRows(table: Tensor, idx: Int32Array): Tensor {
  if (table.ndim !== 2) shapeError('gatherRows', 'table must be 2-D', table.shape);
  const [R, d] = table.shape;
  const B = idx.length;
  const y = empty([B, d]);
  K().gatherRows(table.data, idx, y.data, R, B, d);
  return record('gatherRows', y, [table], (dy) => K().scatterAddRows(dy, idx, gradOf(table), R, B, d));
}

/**
 * g (m x n) += columns [o, o+n) of dy (m x W). A plain loop: one kernel call
 * per row would cost more in call overhead than the additions themselves.
 */
function addColumns(dy: Float32Array, W: number, o: number, g: Float32Array, m: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const src = i * W + o, dst = i * n;
    for (let j = 0; j < n; j++) g[dst + j] += dy[src + j];
  }
}
