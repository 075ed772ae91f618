/** Inverted dropout with a seeded mask: same Rng state, same mask. */
import type { Rng } from '../../tensor/rng.js';
import { Tensor, empty } from '../../tensor/tensor.js';
import { record, gradOf } from '../engine.js';
import { ShapeError } from '../../errors.js';

/** Zeroes each element with probability p and scales the rest by 1/(1-p). Identity when p = 0. */
export function dropout(x: Tensor, p: number, rng: Rng): Tensor {
  if (!(p >= 0 && p < 1)) throw new ShapeError(`dropout: p must be in [0, 1) (got ${p})`);
  if (p === 0) return x;
  const n = x.size, keepScale = 1 / (1 - p);
  const mask = new Float32Array(n);
  for (let i = 0; i < n; i++) mask[i] = rng.uniform() >= p ? keepScale : 0;
  const y = empty(x.shape);
  const xd = x.data, yd = y.data;
  for (let i = 0; i < n; i++) yd[i] = xd[i] * mask[i];
  return record('dropout', y, [x], (dy) => {
    const g = gradOf(x);
    for (let i = 0; i < n; i++) g[i] += dy[i] * mask[i];
  });
}
