/**
 * Elementwise ops: unary maps and binary arithmetic with row, column and
 * scalar broadcasting. Forward and backward side by side; backward kernels
 * accumulate straight into the inputs' gradients.
 */
import type { BinaryOp, UnaryOp } from '../../backend/kernels.js';
import { Tensor, empty } from '../../tensor/tensor.js';
import { record, gradOf, needsGrad } from '../engine.js';
import { K, broadcastMode, shapeError } from './util.js';

function unaryOp(op: UnaryOp, x: Tensor, p = 0, q = 0): Tensor {
  const y = empty(x.shape);
  K().unary(op, x.data, y.data, x.size, p, q);
  return record(op, y, [x], (dy) => K().unaryBackward(op, x.data, y.data, dy, gradOf(x), x.size, p, q));
}

// x: any shape -> same shape
export const neg = (x: Tensor) => unaryOp('neg', x);
export const exp = (x: Tensor) => unaryOp('exp', x);
export const log = (x: Tensor) => unaryOp('log', x);
export const sqrt = (x: Tensor) => unaryOp('sqrt', x);
export const abs = (x: Tensor) => unaryOp('abs', x);
export const square = (x: Tensor) => unaryOp('square', x);
export const sigmoid = (x: Tensor) => unaryOp('sigmoid', x);
export const tanh = (x: Tensor) => unaryOp('tanh', x);
export const relu = (x: Tensor) => unaryOp('relu', x);
export const softplus = (x: Tensor) => unaryOp('softplus', x);
export const leakyRelu = (x: Tensor, slope = 0.01) => unaryOp('leaky_relu', x, slope);
export const pow = (x: Tensor, p: number) => unaryOp('pow', x, p);
export const clamp = (x: Tensor, lo: number, hi: number) => unaryOp('clamp', x, lo, hi);
export const mulScalar = (x: Tensor, s: number) => unaryOp('scale', x, s);

/** x + s for a constant s (no kernel of its own: y = x + s*1 via binary scalar). */
export function addScalar(x: Tensor, s: number): Tensor {
  const b = empty([1]);
  b.data[0] = s;
  return binaryOp('add', x, b);
}

/** Expands a to shape (row/col/scalar broadcast); backward sums back. */
export function broadcastTo(a: Tensor, shape: readonly number[]): Tensor {
  const y = empty(shape);
  const mode = broadcastMode(y, a);
  if (mode === null) shapeError('broadcastTo', 'cannot broadcast', a.shape, shape);
  K().binary('add', y.data, a.data, y.data, y.rows, y.cols, mode);
  return record('broadcastTo', y, [a], (dy) =>
    K().binaryBackward('add', y.data, a.data, dy, null, gradOf(a), y.rows, y.cols, mode));
}

function binaryOp(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  let mode = broadcastMode(a, b);
  if (mode === null) {
    if (broadcastMode(b, a) === null) shapeError(op, 'shapes do not broadcast', a.shape, b.shape);
    a = broadcastTo(a, b.shape);
    mode = 'full';
  }
  const m = mode;
  const y = empty(a.shape);
  K().binary(op, a.data, b.data, y.data, a.rows, a.cols, m);
  return record(op, y, [a, b], (dy) => {
    const da = needsGradOf(a) ? gradOf(a) : null;
    const db = needsGradOf(b) ? gradOf(b) : null;
    K().binaryBackward(op, a.data, b.data, dy, da, db, a.rows, a.cols, m);
  });
}

function needsGradOf(t: Tensor): boolean { return t.requiresGrad; }

// a: (m,n); b: (m,n) | (n) | (1,n) | (m,1) | scalar -> (m,n)
export const add = (a: Tensor, b: Tensor) => binaryOp('add', a, b);
export const sub = (a: Tensor, b: Tensor) => binaryOp('sub', a, b);
export const mul = (a: Tensor, b: Tensor) => binaryOp('mul', a, b);
export const div = (a: Tensor, b: Tensor) => binaryOp('div', a, b);
export const maximum = (a: Tensor, b: Tensor) => binaryOp('maximum', a, b);
export const minimum = (a: Tensor, b: Tensor) => binaryOp('minimum', a, b);

/** PReLU with a learned slope per column: y = max(x,0) + alpha * min(x,0). x: (m,n), alpha: (n) or (1). */
export function prelu(x: Tensor, alpha: Tensor): Tensor {
  const zero = empty([1]);
  return add(maximum(x, zero), mul(minimum(x, zero), alpha));
}

export { needsGrad };
