/**
 * Module: a named tree of parameters and sub-modules. Names are the paths of
 * registration ("encoder.layers.0.weight"), stable across runs, so they key
 * checkpoints. Parameters are kept out of tidy scopes for their whole life.
 */
import { currentBackend } from '../backend/registry.js';
import { Tensor } from '../tensor/tensor.js';
import { keep } from '../tensor/scope.js';
import { untracked } from '../tensor/scope.js';
import { ShapeError, UserError } from '../errors.js';

export abstract class Module {
  training = true;
  private readonly params = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /** Registers a trainable parameter under `name`. */
  protected param(name: string, t: Tensor): Tensor {
    if (this.params.has(name) || this.children.has(name)) throw new Error(`Module: '${name}' is registered twice`);
    t.requiresGrad = true;
    t.name = name;
    keep(t);
    this.params.set(name, t);
    return t;
  }

  /** Registers a sub-module under `name`. */
  protected child<M extends Module>(name: string, m: M): M {
    if (this.params.has(name) || this.children.has(name)) throw new Error(`Module: '${name}' is registered twice`);
    this.children.set(name, m);
    return m;
  }

  /** All parameters with their dotted paths, in registration order. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, p] of this.params) out.push([prefix + n, p]);
    for (const [n, c] of this.children) out.push(...c.namedParameters(`${prefix}${n}.`));
    return out;
  }

  /**
   * Returns every parameter's and gradient's storage to the backend now; the module is not used
   * afterwards. Wasm storage is otherwise reclaimed only when the garbage collector runs finalisers,
   * which a synchronous loop of fits never lets happen.
   */
  releaseStorage(): void {
    const b = currentBackend();
    for (const p of this.parameters()) { if (p.grad) b.free(p.grad.data); b.free(p.data); }
  }

  parameters(): Tensor[] { return this.namedParameters().map(([, p]) => p); }

  numParameters(): number { return this.parameters().reduce((s, p) => s + p.size, 0); }

  /** Training mode on (dropout active) or off, recursively. */
  train(on = true): this {
    this.training = on;
    for (const c of this.children.values()) c.train(on);
    return this;
  }

  eval(): this { return this.train(false); }

  zeroGrad(): void {
    for (const p of this.parameters()) if (p.grad) p.grad.data.fill(0);
  }

  /** A copy of every parameter's values keyed by path. */
  stateDict(): Record<string, { shape: number[]; data: Float32Array }> {
    const out: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [n, p] of this.namedParameters()) out[n] = { shape: [...p.shape], data: p.data.slice() };
    return out;
  }

  /** Loads values saved by stateDict; every parameter must be present with its shape. */
  loadStateDict(state: Record<string, { shape: readonly number[]; data: Float32Array }>): void {
    for (const [n, p] of this.namedParameters()) {
      const s = state[n];
      if (!s) throw new UserError(`loadStateDict: parameter '${n}' is missing from the checkpoint`);
      if (s.data.length !== p.size) throw new ShapeError(`loadStateDict: '${n}' has ${s.data.length} values, expected ${p.size} for [${p.shape.join(',')}]`);
      p.data.set(s.data);
    }
  }
}

/** Makes a parameter tensor outside any tidy scope. */
export function makeParam(fn: () => Tensor): Tensor { return untracked(fn); }
