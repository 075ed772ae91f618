/** Shared helpers for op definitions: the active kernels and shape checks. */
import { currentBackend } from '../../backend/registry.js';
import type { Kernels, Broadcast } from '../../backend/kernels.js';
import { ShapeError } from '../../errors.js';
import { Tensor, empty, shapeStr, type Shape } from '../../tensor/tensor.js';

export const K = (): Kernels => currentBackend().kernels;

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** How b broadcasts against a viewed as (rows x cols), or null if it does not. */
export function broadcastMode(a: Tensor, b: Tensor): Broadcast | null {
  if (sameShape(a.shape, b.shape)) return 'full';
  if (b.size === 1) return 'scalar';
  const n = a.cols, m = a.rows;
  if (b.size === n && (b.ndim === 1 || (b.ndim === 2 && b.shape[0] === 1)) && a.ndim >= 1) return 'row';
  if (a.ndim === 2 && b.ndim === 2 && b.shape[0] === m && b.shape[1] === 1) return 'col';
  if (a.ndim === 1 && b.ndim === 1 && b.size === a.size) return 'full';
  return null;
}

export function shapeError(op: string, what: string, a: Shape, b?: Shape): never {
  throw new ShapeError(`${op}: ${what} (got ${shapeStr(a)}${b ? ` and ${shapeStr(b)}` : ''})`);
}

export function like(t: Tensor): Tensor { return empty(t.shape); }
export { empty };
