/** Row softmax and log-softmax (max-shifted); the backward uses the saved output. */
import { Tensor, empty } from '../../tensor/tensor.js';
import { record, gradOf } from '../engine.js';
import { K, shapeError } from './util.js';

function softmaxOp(x: Tensor, log: boolean): Tensor {
  if (x.ndim !== 2) shapeError(log ? 'logSoftmax' : 'softmax', 'needs a 2-D tensor', x.shape);
  const [m, n] = x.shape;
  const y = empty([m, n]);
  K().softmaxRows(x.data, y.data, m, n, log);
  return record(log ? 'logSoftmax' : 'softmax', y, [x], (dy) => K().softmaxRowsBackward(y.data, dy, gradOf(x), m, n, log));
}

/** x: (m,n) -> (m,n), each row sums to 1. */
export const softmax = (x: Tensor) => softmaxOp(x, false);
/** x: (m,n) -> (m,n), log of the row softmax, computed stably. */
export const logSoftmax = (x: Tensor) => softmaxOp(x, true);
