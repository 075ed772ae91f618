/**
 * The int8 serving kernels (scoreI8, boundCandidates) on wasm and native
 * (both ISA paths, 1 and 2 threads) against the js reference, bit for bit:
 * sizes around the SIMD widths (16 int8 lanes, 8/4 f64 blocks), empty, a
 * single row, tails, ties, NaN, every k from 0 past n, with and without an
 * exclusion mask, inputs as subarrays at a non-zero byteOffset.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { skipSuite } from '../helpers/skip.js';
import type { Backend, Kernels } from '../../src/backend/kernels.js';
import { getBackend } from '../../src/backend/registry.js';
import { nativeAddon, setNativeIsa, setNativeThreads } from '../../src/backend/native/index.js';
import { Rng } from '../../src/tensor/rng.js';

const J: Kernels = getBackend('js').kernels;
const SIZES = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 127, 128, 129, 1000, 70_001];
const WIDTHS = [1, 3, 15, 16, 17, 33, 64, 65, 66];
const rng = new Rng(20261207);
const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];

/** A copy of a at byte offset 4*off inside a larger buffer (the kernels must honour byteOffset). */
function shifted<T extends Float32Array | Int8Array | Int16Array | Uint8Array | Int32Array>(a: T, off: number): T {
  const C = a.constructor as new (n: number) => T;
  const big = new C(a.length + off);
  big.set(a as never, off);
  return big.subarray(off) as T;
}

function suiteFor(label: string, B: Backend, setup: () => void, teardown: () => void): void {
  const t = suite(`backend/quantized ${label}`);
  const K = B.kernels;
  t.before(setup); t.after(teardown);

  t('scoreI8 equals the js reference bit for bit', () => {
    for (let r = 0; r < 40; r++) {
      const n = pick(SIZES), d = pick(WIDTHS);
      const items = Int8Array.from({ length: n * d }, () => rng.int(255) - 127);
      const scale = Float32Array.from({ length: n }, () => (rng.uniform() < 0.05 ? 0 : rng.uniform() * 0.01));
      const qmax = Math.min(32767, Math.floor(0x7fffffff / (127 * d)));
      const q = Int16Array.from({ length: d }, () => rng.int(2 * qmax + 1) - qmax);
      const qs = rng.uniform() * 1e-3;
      const oj = new Float32Array(n), ob = new Float32Array(n + 3).fill(7);
      J.scoreI8(items, scale, q, qs, n, d, oj);
      K.scoreI8(shifted(items, r % 3), shifted(scale, r % 2), shifted(q, 1), qs, n, d, ob.subarray(0, n));
      assert.equal(Array.from(ob.subarray(0, n)), Array.from(oj), `scoreI8 ${n}x${d}`);
      assert.equal(Array.from(ob.subarray(n)), [7, 7, 7], 'wrote past out');
    }
  });

  t('boundCandidates equals the js reference (ties, NaN, exclude, k = 0 and k > n)', () => {
    for (let r = 0; r < 60; r++) {
      const n = pick(SIZES), k = pick([0, 1, 2, 10, 100, 200]);
      // few distinct values (ties), some NaN, scales with zeros
      const approx = Float32Array.from({ length: n }, () => (rng.uniform() < 0.01 ? NaN : r % 2 ? rng.int(7) - 3 : rng.normal(0, 1)));
      const scale = Float32Array.from({ length: n }, () => (rng.uniform() < 0.1 ? 0 : rng.uniform() * 0.1));
      const alpha = pick([0, 0.5, 3, 40]);
      const ex = r % 3 === 0 ? null : Uint8Array.from({ length: n }, () => (rng.uniform() < 0.3 ? 1 : 0));
      const oj = new Int32Array(n), ob = new Int32Array(n);
      const mj = J.boundCandidates(approx, scale, alpha, n, k, ex, oj);
      const mb = K.boundCandidates(shifted(approx, 1), shifted(scale, 2), alpha, n, k, ex ? shifted(ex, 3) : null, ob);
      assert.is(mb, mj, `count n=${n} k=${k} alpha=${alpha}`);
      assert.equal(Array.from(ob.subarray(0, mb)), Array.from(oj.subarray(0, mj)), `candidates n=${n} k=${k}`);
    }
  });

  t('boundCandidates keeps every row of the exact top-k (the selection contract)', () => {
    const n = 5003, k = 10, exact = Float32Array.from({ length: n }, () => rng.normal(0, 1));
    const scale = Float32Array.from({ length: n }, () => 0.01 + rng.uniform() * 0.01), alpha = 1;
    const approx = Float32Array.from(exact, (e, i) => e + (rng.uniform() * 2 - 1) * alpha * scale[i]);
    const out = new Int32Array(n), m = K.boundCandidates(approx, scale, alpha, n, k, null, out);
    const top = Array.from(exact.keys()).sort((a, b) => exact[b] - exact[a]).slice(0, k);
    const kept = new Set(out.subarray(0, m));
    for (const i of top) assert.ok(kept.has(i), `top row ${i} dropped`);
    assert.ok(m < n / 10, `${m} candidates`);
  });

  t.run();
}

const none = () => {};
suiteFor('js (self-check)', getBackend('js'), none, none);
for (const name of ['wasm', 'native'] as const) {
  let B: Backend;
  try { B = getBackend(name); } catch (e) { skipSuite(`backend/quantized ${name}`, `backend unavailable: ${(e as Error).message}`); continue; }
  if (name === 'wasm') { suiteFor(name, B, none, none); continue; }
  suiteFor('native avx2, 2 threads', B, () => { setNativeIsa('avx2'); setNativeThreads(2); }, () => { setNativeThreads(0); });
  if (nativeAddon().info().cpuAvx2Fma) suiteFor('native portable, 1 thread', B, () => { setNativeIsa('portable'); setNativeThreads(1); }, () => { setNativeIsa('avx2'); setNativeThreads(0); });
}
