/**
 * The engine-level SPD functions on the current backend (DPGCN_BACKEND):
 * spdInverse and choleskySolve leave their inputs alone, give A P = I and
 * A X = B, agree with the float64 js backend on an EASE-shaped Gram matrix
 * (X^T X + lambda I of 0/1 interactions), and reject bad input by name.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { currentBackend, getBackend } from '../../src/backend/registry.js';
import { KernelArgumentError, NotPositiveDefiniteError } from '../../src/errors.js';
import { choleskyFactor, choleskySolve, spdInverse } from '../../src/linalg/spd.js';
import { Rng } from '../../src/tensor/rng.js';

const rng = new Rng(99);

/** Gram matrix X^T X + lambda I of a random 0/1 users x items matrix with popular and rare items. */
function gram(users: number, items: number, lambda: number): Float32Array {
  const x = new Uint8Array(users * items);
  for (let u = 0; u < users; u++) for (let i = 0; i < items; i++) x[u * items + i] = rng.uniform() < 0.3 / (1 + i / 10) ? 1 : 0;
  const g = new Float32Array(items * items);
  for (let u = 0; u < users; u++) {
    const r = u * items;
    for (let i = 0; i < items; i++) {
      if (!x[r + i]) continue;
      for (let j = 0; j < items; j++) if (x[r + j]) g[i * items + j] += 1;
    }
  }
  for (let i = 0; i < items; i++) g[i * items + i] += lambda;
  return g;
}

function residual(a: Float32Array, x: Float32Array, b: (i: number, j: number) => number, n: number, m: number): number {
  let e = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += a[i * n + p] * x[p * m + j];
      e = Math.max(e, Math.abs(s - b(i, j)));
      mb = Math.max(mb, Math.abs(b(i, j)));
    }
  }
  return e / mb;
}

test('spdInverse: A P = I on an EASE-shaped Gram matrix, input untouched, close to float64', () => {
  const n = 300, a = gram(400, n, 100), before = a.slice();
  const p = spdInverse(a, n);
  assert.equal(Array.from(a), Array.from(before), 'input modified');
  assert.ok(residual(a, p, (i, j) => (i === j ? 1 : 0), n, n) < 1e-4, 'A P != I');
  const ref = spdInverse(a, n, getBackend('js'));
  let e = 0, m = 0;
  for (let i = 0; i < n * n; i++) { e = Math.max(e, Math.abs(p[i] - ref[i])); m = Math.max(m, Math.abs(ref[i])); }
  assert.ok(e / m < 1e-5, `differs from the float64 reference by ${e / m}`);
});

test('choleskySolve: A X = B', () => {
  const n = 150, m = 4, a = gram(200, n, 50), b = Float32Array.from({ length: n * m }, (_, i) => Math.cos(i));
  const x = choleskySolve(a, b, n, m);
  assert.ok(residual(a, x, (i, j) => b[i * m + j], n, m) < 1e-5);
  assert.is(b[1], Math.fround(Math.cos(1)), 'b modified');
});

test('choleskyFactor returns L and leaves a alone', () => {
  const a = Float32Array.from([4, 2, 2, 5]);
  assert.equal(Array.from(choleskyFactor(a, 2)), [2, 0, 1, 2]);
  assert.equal(Array.from(a), [4, 2, 2, 5]);
});

test('not positive definite, bad sizes and short buffers throw by name', () => {
  const bad = Float32Array.from([1, 2, 2, 1]);
  assert.throws(() => spdInverse(bad, 2), (e: Error) => e instanceof NotPositiveDefiniteError && /pivot 1/.test(e.message));
  assert.throws(() => spdInverse(new Float32Array(3), 2), (e: Error) => e instanceof KernelArgumentError && /a is too short/.test(e.message));
  assert.throws(() => choleskySolve(new Float32Array(4), new Float32Array(3), 2, 2), (e: Error) => e instanceof KernelArgumentError && /b is too short/.test(e.message));
  assert.throws(() => spdInverse(new Float32Array(4), 1.5), (e: Error) => e instanceof KernelArgumentError && /n must be/.test(e.message));
});

test('with no backend argument the functions run on the DPGCN_BACKEND backend, and P is its storage', () => {
  const want = (process.env.DPGCN_BACKEND ?? 'auto').trim().toLowerCase();
  const b = currentBackend();
  if (want !== 'auto') assert.is(b.name, want, 'the suite did not run on the backend it was asked for');
  const n = 40, a = gram(60, n, 10);
  const base = b.liveAllocations();
  const p = spdInverse(a, n);
  // wasm counts its blocks: P is one live allocation of wasm memory until freed
  if (b.name === 'wasm') assert.is(b.liveAllocations(), base + 1, 'P is not wasm storage');
  const ref = spdInverse(a, n, getBackend('js'));
  let e = 0;
  for (let i = 0; i < n * n; i++) e = Math.max(e, Math.abs(p[i] - ref[i]));
  assert.ok(e < 1e-4, `P differs from the float64 reference by ${e}`);
  b.free(p);
  assert.is(b.liveAllocations(), base);
});

test.run();
