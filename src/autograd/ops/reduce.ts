/** Reductions over all elements or one axis of a 2-D view: sum, mean, max. */
import { Tensor, empty } from '../../tensor/tensor.js';
import { record, gradOf } from '../engine.js';
import { K, shapeError } from './util.js';
import { mulScalar } from './elementwise.js';

function axisShape(op: string, x: Tensor, axis: 0 | 1): [number, number, number[]] {
  if (x.ndim !== 2) shapeError(op, `axis reductions need a 2-D tensor`, x.shape);
  const [m, n] = x.shape;
  return [m, n, axis === 0 ? [1, n] : [m, 1]];
}

/**
 * Sum of all elements -> (1), or over one axis of a 2-D tensor: axis 0 -> (1,n), axis 1 -> (m,1).
 * @example sum(x)        // scalar
 *          sum(x, 1)     // row sums
 */
export function sum(x: Tensor, axis?: 0 | 1): Tensor {
  if (axis === undefined) {
    const y = empty([1]);
    K().sumAxis(x.data, y.data, 1, x.size, 1);
    return record('sum', y, [x], (dy) => K().binary('add', gradOf(x), dy, gradOf(x), 1, x.size, 'scalar'));
  }
  const [m, n, shape] = axisShape('sum', x, axis);
  const y = empty(shape);
  K().sumAxis(x.data, y.data, m, n, axis);
  const mode = axis === 0 ? 'row' : 'col';
  // dx[i,j] += dy[j] (axis 0) or dy[i] (axis 1): the backward of a broadcast add
  return record('sum', y, [x], (dy) => K().binary('add', gradOf(x), dy, gradOf(x), m, n, mode));
}

export function mean(x: Tensor, axis?: 0 | 1): Tensor {
  const count = axis === undefined ? x.size : axis === 0 ? x.shape[0] : x.shape[1];
  return mulScalar(sum(x, axis), 1 / Math.max(1, count));
}

/** Max over all elements -> (1), or over an axis (see sum). The gradient goes to the first maximum. */
export function max(x: Tensor, axis?: 0 | 1): Tensor {
  if (x.size === 0) shapeError('max', 'cannot reduce an empty tensor', x.shape);
  const [m, n, shape] = axis === undefined ? [1, x.size, [1]] : axisShape('max', x, axis);
  const ax = axis ?? 1;
  const y = empty(shape);
  const arg = new Int32Array(y.size);
  K().maxAxis(x.data, y.data, arg, m, n, ax);
  return record('max', y, [x], (dy) => {
    const g = gradOf(x);
    for (let o = 0; o < arg.length; o++) {
      const idx = ax === 0 ? arg[o] * n + o : o * n + arg[o];
      g[idx] += dy[o];
    }
  });
}
