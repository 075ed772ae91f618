/**
 * Losses. bceWithLogits is a fused primitive because composing
 * log(sigmoid(z)) overflows for large |z|; mse is composed from primitives.
 */
import { Tensor, empty } from '../../tensor/tensor.js';
import { record, gradOf } from '../engine.js';
import { K, shapeError } from './util.js';
import { sub, square, mul } from './elementwise.js';
import { mean, sum } from './reduce.js';
import { logSoftmax } from './softmax.js';

/** Mean binary cross-entropy of logits z against targets t (same size, t constant) -> (1). */
export function bceWithLogits(z: Tensor, t: Tensor | Float32Array): Tensor {
  const td = t instanceof Tensor ? t.data : t;
  if (td.length !== z.size) shapeError('bceWithLogits', `targets have ${td.length} values for ${z.size} logits`, z.shape);
  const n = z.size;
  const per = new Float32Array(n);
  K().bceLogits(z.data, td, per, n);
  const y = empty([1]);
  let s = 0;
  for (let i = 0; i < n; i++) s += per[i];
  y.data[0] = n === 0 ? 0 : s / n;
  return record('bceWithLogits', y, [z], (dy) => {
    const g = new Float32Array(n).fill(dy[0] / Math.max(1, n));
    K().bceLogitsBackward(z.data, td, g, gradOf(z), n);
  });
}

/** Mean squared error -> (1). */
export function mse(pred: Tensor, target: Tensor): Tensor {
  return mean(square(sub(pred, target)));
}

/** Mean negative log-likelihood of integer labels under row softmax of logits z (N,C) -> (1). */
export function crossEntropy(z: Tensor, labels: Int32Array): Tensor {
  if (z.ndim !== 2 || labels.length !== z.shape[0]) shapeError('crossEntropy', `needs (N,C) logits and N labels (got ${labels.length} labels)`, z.shape);
  const [n, c] = z.shape;
  const onehot = empty([n, c]);
  for (let i = 0; i < n; i++) {
    if (labels[i] < 0 || labels[i] >= c) shapeError('crossEntropy', `label ${labels[i]} at row ${i} is outside [0, ${c})`, z.shape);
    onehot.data[i * c + labels[i]] = -1 / Math.max(1, n);
  }
  return sum(mul(logSoftmax(z), onehot));
}
