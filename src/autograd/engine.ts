/**
 * Reverse-mode autograd. Each op records a GradNode on its output: the inputs
 * and a backward closure that ACCUMULATES into the inputs' gradients (so
 * fan-out needs no special case). backward() walks the graph in reverse
 * topological order, then frees it: saved tensors are dropped and a second
 * backward through the same nodes is a GraphError, not silent garbage.
 */
import { GraphError } from '../errors.js';
import { Tensor, empty, shapeStr } from '../tensor/tensor.js';
import { untracked } from '../tensor/scope.js';

let gradDepth = 0; // > 0 inside noGrad

/** Runs fn without recording ops (inference, target networks, optimiser updates). */
export function noGrad<T>(fn: () => T): T {
  gradDepth++;
  try { return fn(); } finally { gradDepth--; }
}

export function isGradEnabled(): boolean { return gradDepth === 0; }

/** True when an op over these inputs must be recorded. */
export function needsGrad(...inputs: (Tensor | null | undefined)[]): boolean {
  if (gradDepth > 0) return false;
  for (const t of inputs) if (t && t.requiresGrad) return true;
  return false;
}

const FREED = (name: string) => () => {
  throw new GraphError(`backward through op '${name}' whose graph was already freed by an earlier backward(); pass { retainGraph: true } to the first call to backward twice`);
};

/**
 * Records `out = name(inputs)`. `backward(dy)` is called with out's gradient
 * and uses gradOf(input) to accumulate. No-op when no input needs a gradient.
 */
export function record(name: string, out: Tensor, inputs: Tensor[], backward: (dy: Float32Array) => void, release?: () => void): Tensor {
  if (!needsGrad(...inputs)) { release?.(); return out; }
  out.requiresGrad = true;
  out.node = { name, inputs, backward, release };
  return out;
}

/** The gradient buffer of t, created zero-filled on first use. Leaf gradients outlive scopes. */
export function gradOf(t: Tensor): Float32Array {
  if (!t.grad) {
    t.grad = t.node === null ? untracked(() => empty(t.shape)) : empty(t.shape);
  }
  return t.grad.data;
}

export interface BackwardOptions {
  /** Upstream gradient for a non-scalar root; defaults to 1 for a scalar. */
  grad?: Tensor;
  /** Keep the graph so backward can run through it again. */
  retainGraph?: boolean;
}

/** Reverse-mode sweep from root; leaves' .grad accumulate. */
export function backward(root: Tensor, opts: BackwardOptions = {}): void {
  if (!root.requiresGrad) throw new GraphError('backward: the tensor does not require grad (no input had requiresGrad, or it was made under noGrad)');
  if (opts.grad) {
    if (opts.grad.size !== root.size) throw new GraphError(`backward: seed gradient shape ${shapeStr(opts.grad.shape)} does not match ${shapeStr(root.shape)}`);
  } else if (root.size !== 1) {
    throw new GraphError(`backward: the output has shape ${shapeStr(root.shape)}; a non-scalar output needs a seed gradient (backward(y, { grad }))`);
  }
  const order = topoOrder(root);
  const seed = gradOf(root);
  if (opts.grad) { const g = opts.grad.data; for (let i = 0; i < seed.length; i++) seed[i] += g[i]; }
  else seed[0] += 1;
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    const node = t.node!;
    if (!t.grad) continue; // no gradient flowed here
    if (!node.backward) FREED(node.name)();
    node.backward!(t.grad.data);
    if (!opts.retainGraph) freeNode(node);
    // a non-leaf gradient is dead once propagated; freeing it also keeps a
    // retained graph's second backward from adding to stale values
    t.grad.dispose();
    t.grad = null;
  }
}

/** Drops what a node holds once its backward has run: the closure (and what it saved), the inputs, extra buffers. */
function freeNode(node: NonNullable<Tensor['node']>): void {
  node.backward = null;
  node.inputs = [];
  node.release?.();
  node.release = undefined;
}

function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<number>();
  // iterative DFS: deep graphs (long sequences) must not overflow the stack
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root.id);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, k] = top;
    const node = t.node;
    if (node && k < node.inputs.length) {
      top[1]++;
      const c = node.inputs[k];
      if (c.node && c.requiresGrad && !seen.has(c.id)) { seen.add(c.id); stack.push([c, 0]); }
      continue;
    }
    stack.pop();
    if (node) {
      if (node.backward === null) FREED(node.name)();
      order.push(t);
    }
  }
  return order;
}

/** A new leaf sharing no graph with t (same values, copied). */
export function detach(t: Tensor): Tensor {
  const out = empty(t.shape);
  out.data.set(t.data);
  return out;
}
