/** Tensor constructors: from values, constants, and seeded random fills. */
import type { Rng } from './rng.js';
import { Tensor, empty, sizeOf, type Shape } from './tensor.js';
import { ShapeError } from '../errors.js';

/**
 * A tensor from nested arrays or a flat array plus shape.
 * @example tensor([[1, 2], [3, 4]])         // (2,2)
 *          tensor([1, 2, 3, 4], [2, 2], true)
 */
export function tensor(values: number[] | number[][] | Float32Array, shape?: Shape, requiresGrad = false): Tensor {
  let flat: ArrayLike<number>;
  let shp: Shape;
  if (Array.isArray(values) && values.length > 0 && Array.isArray(values[0])) {
    const rows = values as number[][];
    const n = rows[0].length;
    for (const r of rows) if (r.length !== n) throw new ShapeError('tensor: ragged nested array');
    flat = rows.flat();
    shp = shape ?? [rows.length, n];
  } else {
    flat = values as number[] | Float32Array;
    shp = shape ?? [flat.length];
  }
  if (sizeOf(shp) !== flat.length) throw new ShapeError(`tensor: ${flat.length} values do not fill shape [${shp.join(',')}]`);
  const t = empty(shp, requiresGrad);
  t.data.set(flat);
  return t;
}

export function zeros(shape: Shape, requiresGrad = false): Tensor { return empty(shape, requiresGrad); }

export function full(shape: Shape, value: number, requiresGrad = false): Tensor {
  const t = empty(shape, requiresGrad);
  t.data.fill(value);
  return t;
}

export function ones(shape: Shape, requiresGrad = false): Tensor { return full(shape, 1, requiresGrad); }

export function randn(shape: Shape, rng: Rng, std = 1, requiresGrad = false): Tensor {
  const t = empty(shape, requiresGrad);
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = rng.normal(0, std);
  return t;
}

export function uniform(shape: Shape, rng: Rng, lo = 0, hi = 1, requiresGrad = false): Tensor {
  const t = empty(shape, requiresGrad);
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = rng.range(lo, hi);
  return t;
}

export { Tensor };
