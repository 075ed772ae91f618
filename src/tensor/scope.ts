/**
 * Scoped lifetimes (tidy): every tensor made inside tidy(fn) is disposed when
 * fn returns, except what fn returns and what was kept. On wasm this returns
 * linear memory at once instead of waiting for garbage collection; on js and
 * native it just drops references. A training step runs inside one scope.
 */

interface Disposable { dispose(): void; readonly isDisposed: boolean }

const scopes: Disposable[][] = [];
const kept = new WeakSet<object>();

let suspended = 0;

export function trackTensor(t: Disposable): void {
  if (scopes.length > 0 && suspended === 0) scopes[scopes.length - 1].push(t);
}

/** Runs fn with scope tracking off: what it allocates outlives every tidy (leaf gradients, optimiser state). */
export function untracked<T>(fn: () => T): T {
  suspended++;
  try { return fn(); } finally { suspended--; }
}

/** Exempts a tensor from disposal by the enclosing scopes (parameters, optimiser state). */
export function keep<T extends object>(t: T): T {
  kept.add(t);
  return t;
}

function collect(v: unknown, out: Set<unknown>): void {
  if (v === null || typeof v !== 'object') return;
  if (out.has(v)) return;
  out.add(v);
  if (Array.isArray(v)) for (const x of v) collect(x, out);
  else if (v.constructor === Object) for (const x of Object.values(v)) collect(x, out);
}

/** Runs fn; tensors created inside and not returned (or kept) are disposed afterwards. */
export function tidy<T>(fn: () => T): T {
  scopes.push([]);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    release(scopes.pop()!, new Set());
    throw e;
  }
  const live = new Set<unknown>();
  collect(result, live);
  const mine = scopes.pop()!;
  const survivors = release(mine, live);
  // returned tensors belong to the outer scope now
  if (scopes.length > 0) scopes[scopes.length - 1].push(...survivors);
  return result;
}

function release(list: Disposable[], live: Set<unknown>): Disposable[] {
  const survivors: Disposable[] = [];
  for (const t of list) {
    if (live.has(t) || kept.has(t)) survivors.push(t);
    else if (!t.isDisposed) t.dispose();
  }
  return survivors;
}

export function scopeDepth(): number { return scopes.length; }
