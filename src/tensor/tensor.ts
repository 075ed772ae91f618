/**
 * Tensor: a shape and row-major float32 storage (or int32 for indices).
 * Storage comes from the current backend's allocator, so wasm kernels read it
 * in place. No math lives here; ops are in src/autograd/ops. Invariant:
 * data.length === product(shape). A disposed tensor throws on any access.
 */
import { ShapeError, GraphError } from '../errors.js';
import { currentBackend } from '../backend/registry.js';
import type { Backend } from '../backend/kernels.js';
import { trackTensor } from './scope.js';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 0) throw new ShapeError(`invalid shape [${shape.join(',')}]`);
    n *= s;
  }
  return n;
}

export function shapeStr(shape: Shape): string { return `[${shape.join(',')}]`; }

/** The autograd record of the op that produced a tensor (filled in by src/autograd). */
export interface GradNode {
  readonly name: string;
  /** Emptied once the backward has run (unless the graph is retained), so a kept root pins no forward graph. */
  inputs: Tensor[];
  backward: ((dy: Float32Array) => void) | null;
  /** Frees what only the backward needed (segmentMax's argmax), when the node is freed. */
  release?: () => void;
}

/**
 * DPGCN_DEBUG=1: a disposed tensor's storage is poisoned with NaN and never
 * reused, so a stale `.data` view read after dispose shows NaN instead of
 * silently aliasing a newer tensor's values (a generation check at the cost
 * of the pool's reuse; debug runs only).
 */
const POISON_FREED = process.env.DPGCN_DEBUG === '1';

let nextId = 1;

export class Tensor {
  readonly id = nextId++;
  private _data: Float32Array | null;
  readonly backend: Backend;
  /** Gradient accumulated by backward(); same shape as this tensor. */
  grad: Tensor | null = null;
  requiresGrad: boolean;
  /** Set for tensors produced by a recorded op; null for leaves. */
  node: GradNode | null = null;
  /** Optional name (parameters: their path in the module tree). */
  name: string | null = null;

  constructor(readonly shape: Shape, data: Float32Array, requiresGrad = false, backend?: Backend) {
    const n = sizeOf(shape);
    if (data.length !== n) throw new ShapeError(`tensor: data length ${data.length} does not match shape ${shapeStr(shape)}`);
    this._data = data;
    this.requiresGrad = requiresGrad;
    this.backend = backend ?? currentBackend();
    trackTensor(this);
  }

  get data(): Float32Array {
    if (this._data === null) throw new GraphError(`tensor #${this.id}${this.name ? ` (${this.name})` : ''} was disposed and cannot be used`);
    return this._data;
  }

  get isDisposed(): boolean { return this._data === null; }
  get size(): number { return this.data.length; }
  get ndim(): number { return this.shape.length; }
  /** Rows when viewed as a matrix: product of all but the last dimension. */
  get rows(): number { return this.shape.length === 0 ? 1 : this.size / Math.max(1, this.cols) || 0; }
  /** Columns when viewed as a matrix: the last dimension. */
  get cols(): number { return this.shape.length === 0 ? 1 : this.shape[this.shape.length - 1]; }

  /** Returns storage to the backend now (wasm); further use throws. Idempotent. */
  dispose(): void {
    if (this._data === null) return;
    if (POISON_FREED) this._data.fill(NaN);
    else this.backend.free(this._data);
    this._data = null;
    if (this.node) { this.node.release?.(); this.node.release = undefined; }
    this.node = null;
    if (this.grad) { this.grad.dispose(); this.grad = null; }
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: tensor has shape ${shapeStr(this.shape)}, expected one element`);
    return this.data[0];
  }

  /** A plain JS copy of the values (nested for 2-D). */
  toArray(): number[] | number[][] {
    const d = Array.from(this.data);
    if (this.shape.length !== 2) return d;
    const [m, n] = this.shape;
    return Array.from({ length: m }, (_, i) => d.slice(i * n, (i + 1) * n));
  }

  toString(): string { return `Tensor${shapeStr(this.shape)}${this.requiresGrad ? ' requiresGrad' : ''}`; }
}

/** A fresh tensor on the current backend (zero-filled). */
export function empty(shape: Shape, requiresGrad = false): Tensor {
  const b = currentBackend();
  const data = b.allocF32(sizeOf(shape));
  return new Tensor(shape, data, requiresGrad, b);
}
