/**
 * Adam (coupled L2 decay) and AdamW (decoupled decay), one fused kernel call
 * per parameter. Moment buffers live in the backend's storage so the wasm
 * kernel reads them in place.
 */
import type { Tensor } from '../tensor/tensor.js';
import { currentBackend } from '../backend/registry.js';
import { Optimizer } from './optimizer.js';
import type { Schedule } from './schedule.js';

export interface AdamOptions {
  lr?: number; beta1?: number; beta2?: number; eps?: number; weightDecay?: number; schedule?: Schedule;
}

export class Adam extends Optimizer {
  private readonly m: (Float32Array | null)[];
  private readonly v: (Float32Array | null)[];
  readonly beta1: number; readonly beta2: number; readonly eps: number; readonly weightDecay: number;
  protected decoupled = false;

  constructor(params: Tensor[], opts: AdamOptions = {}) {
    super(params, opts.lr ?? 1e-3, opts.schedule ?? null);
    this.beta1 = opts.beta1 ?? 0.9; this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8; this.weightDecay = opts.weightDecay ?? 0;
    this.m = params.map(() => null); this.v = params.map(() => null);
  }

  protected update(i: number, p: Tensor, g: Float32Array, lr: number): void {
    const b = currentBackend();
    const n = p.size;
    const m = (this.m[i] ??= b.allocF32(n));
    const v = (this.v[i] ??= b.allocF32(n));
    const bc1 = 1 - Math.pow(this.beta1, this.t), bc2 = 1 - Math.pow(this.beta2, this.t);
    b.kernels.adamStep(p.data, g, m, v, n, lr, this.beta1, this.beta2, this.eps, this.weightDecay, bc1, bc2, this.decoupled);
  }

  /** Returns the moment buffers to the backend now (wasm memory is otherwise reclaimed only by the garbage collector). */
  override dispose(): void {
    const b = currentBackend();
    for (const xs of [this.m, this.v]) xs.forEach((a, i) => { if (a) b.free(a); xs[i] = null; });
  }

  /** Step count and moment buffers (parameters that never had a gradient are absent), for checkpoints. */
  stateDict(): Record<string, { shape: number[]; data: Float32Array }> {
    const out: Record<string, { shape: number[]; data: Float32Array }> = { t: { shape: [1], data: Float32Array.of(this.t) } };
    this.params.forEach((_, i) => {
      const m = this.m[i], v = this.v[i];
      if (m && v) { out[`m.${i}`] = { shape: [m.length], data: m.slice() }; out[`v.${i}`] = { shape: [v.length], data: v.slice() }; }
    });
    return out;
  }

  /** Restores what stateDict saved; sizes must match the parameters. */
  loadStateDict(state: Record<string, { data: Float32Array }>): void {
    this.t = state.t ? state.t.data[0] : 0;
    const b = currentBackend();
    this.params.forEach((p, i) => {
      const m = state[`m.${i}`], v = state[`v.${i}`];
      if (!m || !v) { this.m[i] = null; this.v[i] = null; return; }
      if (m.data.length !== p.size || v.data.length !== p.size) throw new Error(`Adam.loadStateDict: moments of parameter ${i} have ${m.data.length} values, expected ${p.size}`);
      (this.m[i] = b.allocF32(p.size)).set(m.data);
      (this.v[i] = b.allocF32(p.size)).set(v.data);
    });
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter). Default decay 0.01. */
export class AdamW extends Adam {
  constructor(params: Tensor[], opts: AdamOptions = {}) {
    super(params, { weightDecay: 0.01, ...opts });
    this.decoupled = true;
  }
}
