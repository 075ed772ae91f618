/**
 * The SPD kernels (cholesky, trsm, choleskyInverse) on every backend: against
 * the float64 js reference on sizes around the block widths (wasm NB = 128,
 * native NB = 256) and SIMD widths, reconstruction L L^T = A, solve and
 * inverse residuals, the upper triangle of the input ignored, a non-SPD input
 * a NotPositiveDefiniteError naming the pivot, short buffers rejected, views
 * at a byte offset, and native results bitwise equal for 1 and 2 threads.
 */
import { suite } from 'uvu';
import { skipSuite } from '../helpers/skip.js';
import * as assert from 'uvu/assert';
import type { Backend, Kernels } from '../../src/backend/kernels.js';
import { getBackend } from '../../src/backend/registry.js';
import { setNativeIsa, setNativeThreads, nativeAddon } from '../../src/backend/native/index.js';
import { KernelArgumentError, NotPositiveDefiniteError } from '../../src/errors.js';
import { Rng } from '../../src/tensor/rng.js';

const SIZES = [0, 1, 2, 3, 4, 5, 8, 17, 63, 64, 65, 127, 128, 129, 130, 257, 300];
const J: Kernels = getBackend('js').kernels;
const rng = new Rng(777);

/** A = X^T X / k + shift I (n x n, k = n + 5): SPD with a modest condition number. */
function spd(n: number, shift = 0.25): Float32Array {
  const k = n + 5, x = new Float64Array(k * n);
  for (let i = 0; i < x.length; i++) x[i] = rng.range(-1, 1);
  const a = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += x[p * n + i] * x[p * n + j];
      a[i * n + j] = a[j * n + i] = s / k + (i === j ? shift : 0);
    }
  }
  return a;
}

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.range(-1, 1);
  return a;
}

const maxAbs = (a: ArrayLike<number>) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i])); return m; };

/** max |got - want| / max |want| (0 for empty). */
function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    e = Math.max(e, Number.isNaN(d) ? Infinity : d);
  }
  const m = maxAbs(want);
  return m === 0 ? e : e / m;
}

/** Float64 product of row-major p (r x q) and s (q x c), with optional transposes of the stored operands. */
function mul(p: ArrayLike<number>, s: ArrayLike<number>, r: number, q: number, c: number, tp = false, ts = false): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      let acc = 0;
      for (let t = 0; t < q; t++) acc += (tp ? p[t * r + i] : p[i * q + t]) * (ts ? s[j * q + t] : s[t * c + j]);
      out[i * c + j] = acc;
    }
  }
  return out;
}

function throwsError(fn: () => unknown, Err: new (...a: never[]) => Error, pattern: RegExp): Error {
  let err: unknown = null;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err instanceof Err, `expected ${Err.name}, got ${String(err)}`);
  assert.match((err as Error).message, pattern);
  return err as Error;
}

function spdSuite(label: string, B: Backend, isa?: 'portable'): void {
  const K = B.kernels;
  const t = suite(`spd kernels:${label}`);
  if (isa) {
    t.before(() => { setNativeIsa(isa); });
    t.after(() => { setNativeIsa('avx2'); });
  }
  const tol = (n: number) => 2e-6 * Math.sqrt(Math.max(n, 1)) * 4;

  t('cholesky matches the float64 reference and reconstructs A', () => {
    for (const n of SIZES) {
      const a = spd(n);
      const want = a.slice(); J.cholesky(want, n);
      const got = a.slice(); K.cholesky(got, n);
      assert.ok(relErr(got, want) <= tol(n), `n=${n}: L differs from js by ${relErr(got, want)}`);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.is(got[i * n + j], 0, `n=${n}: upper [${i},${j}] not zero`);
      assert.ok(relErr(mul(got, got, n, n, n, false, true), a) <= tol(n), `n=${n}: L L^T != A`);
    }
  });

  t('cholesky ignores the upper triangle of its input', () => {
    for (const n of [5, 65, 130, 300]) {
      const a = spd(n), dirty = a.slice();
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) dirty[i * n + j] = Number.NaN;
      K.cholesky(a, n); K.cholesky(dirty, n);
      assert.equal(Array.from(dirty), Array.from(a), `n=${n}`);
    }
  });

  t('trsm solves L X = B and L^T X = B', () => {
    for (const n of [1, 2, 3, 17, 64, 65, 129, 257, 300]) {
      const l = spd(n); J.cholesky(l, n);
      for (const m of [1, 3, 8, 17]) {
        for (const trans of [false, true]) {
          const b = rand(n * m);
          const want = b.slice(); J.trsm(l, want, n, m, trans);
          const got = b.slice(); K.trsm(l, got, n, m, trans);
          assert.ok(relErr(got, want) <= tol(n), `n=${n} m=${m} trans=${trans}: X differs from js by ${relErr(got, want)}`);
          const lx = mul(l, got, n, n, m, trans, false);
          assert.ok(relErr(lx, b) <= tol(n), `n=${n} m=${m} trans=${trans}: residual ${relErr(lx, b)}`);
        }
      }
    }
  });

  t('choleskyInverse gives a symmetric A^-1', () => {
    for (const n of SIZES) {
      const a = spd(n);
      const want = a.slice(); J.cholesky(want, n); J.choleskyInverse(want, n);
      const got = a.slice(); K.cholesky(got, n); K.choleskyInverse(got, n);
      assert.ok(relErr(got, want) <= 4 * tol(n), `n=${n}: A^-1 differs from js by ${relErr(got, want)}`);
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) assert.is(got[i * n + j], got[j * n + i], `n=${n}: not symmetric at [${i},${j}]`);
      const eye = new Float64Array(n * n); for (let i = 0; i < n; i++) eye[i * n + i] = 1;
      assert.ok(relErr(mul(a, got, n, n, n), eye) <= 4 * tol(n), `n=${n}: A A^-1 != I`);
    }
  });

  t('a matrix that is not positive definite throws NotPositiveDefiniteError naming the pivot', () => {
    for (const [n, k] of [[1, 0], [3, 2], [70, 69], [200, 130], [300, 270]] as const) {
      const a = new Float32Array(n * n);
      for (let i = 0; i < n; i++) a[i * n + i] = 2;
      a[k * n + k] = -1;
      const e = throwsError(() => K.cholesky(a, n), NotPositiveDefiniteError, new RegExp(`^cholesky: .*pivot ${k} `));
      assert.ok(e instanceof KernelArgumentError);
      assert.is((e as NotPositiveDefiniteError).column, k);
    }
    // indefinite through the trailing update: [[1, 2], [2, 1]] has eigenvalue -1
    throwsError(() => K.cholesky(Float32Array.from([1, 2, 2, 1]), 2), NotPositiveDefiniteError, /pivot 1 /);
    const nan = spd(140); nan[139 * 140 + 139] = Number.NaN;
    throwsError(() => K.cholesky(nan, 140), NotPositiveDefiniteError, /pivot 139 /);
    const zero = new Float32Array(9);
    throwsError(() => K.cholesky(zero, 3), NotPositiveDefiniteError, /pivot 0 /);
  });

  t('short buffers and bad sizes are rejected, naming the argument', () => {
    throwsError(() => K.cholesky(new Float32Array(8), 3), Error, /^cholesky: a is too short/);
    throwsError(() => K.cholesky(new Float32Array(8), -1), Error, /^cholesky: n must be a non-negative int32/);
    throwsError(() => K.trsm(new Float32Array(8), new Float32Array(6), 3, 2, false), Error, /^trsm: l is too short/);
    throwsError(() => K.trsm(new Float32Array(9), new Float32Array(5), 3, 2, true), Error, /^trsm: b is too short/);
    throwsError(() => K.choleskyInverse(new Float32Array(3), 2), Error, /^choleskyInverse: a is too short/);
  });

  t('views at a byte offset in backend storage', () => {
    const n = 131, off = 3, a = spd(n);
    const store = B.allocF32(n * n + off), v = store.subarray(off); v.set(a);
    const want = a.slice(); J.cholesky(want, n);
    K.cholesky(v, n);
    assert.ok(relErr(v, want) <= tol(n));
    K.choleskyInverse(v, n);
    J.choleskyInverse(want, n);
    assert.ok(relErr(v, want) <= 4 * tol(n));
    B.free(store);
  });

  t.run();
}

spdSuite('js', getBackend('js'));
let native: Backend | null = null;
for (const name of ['wasm', 'native'] as const) {
  let B: Backend;
  try {
    B = getBackend(name);
  } catch (e) {
    skipSuite(`spd kernels:${name}`, `${name} backend unavailable: ${(e as Error).message}`);
    continue;
  }
  spdSuite(name, B);
  if (name === 'native') {
    native = B;
    if (nativeAddon().info().cpuAvx2Fma) spdSuite('native(portable)', B, 'portable');
    else skipSuite('spd kernels:native(portable)', 'this CPU has no AVX2+FMA, so the portable path is the only one');
  }
}

if (!native) {
  skipSuite('spd kernels: native thread determinism', 'native backend unavailable');
} else {
  const K = native.kernels;
  const t = suite('spd kernels: native thread determinism');
  t('cholesky, trsm and choleskyInverse are bitwise equal for 1 and 2 threads', () => {
    const n = 600, a = spd(n), b = rand(n * 7);
    const bits = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
    const once = () => {
      const l = a.slice(); K.cholesky(l, n);
      const x = b.slice(); K.trsm(l, x, n, 7, false); K.trsm(l, x, n, 7, true);
      const p = l.slice(); K.choleskyInverse(p, n);
      return [l, x, p];
    };
    try {
      setNativeThreads(1); const one = once();
      setNativeThreads(2); const two = once();
      for (let i = 0; i < 3; i++) assert.ok(bits(one[i]).equals(bits(two[i])), `output ${i} differs across thread counts`);
    } finally {
      setNativeThreads(0);
    }
  });
  t.run();
}
