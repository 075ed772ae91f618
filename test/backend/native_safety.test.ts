/**
 * The native backend at its boundary: corrupted CSR structures, negative or
 * huge indices, short buffers, negative/NaN sizes and wrong typed-array kinds
 * must each throw a JS Error naming the kernel and the argument, before any
 * kernel touches memory; afterwards the process and the backend carry on
 * (a final call still gives the js reference's answer).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { skipSuite } from '../helpers/skip.js';
import { jsKernels } from '../../src/backend/js/index.js';
import type { Kernels } from '../../src/backend/kernels.js';
import { loadNativeBackend, nativeAddon } from '../../src/backend/native/index.js';

let K: Kernels | null = null;
try {
  K = loadNativeBackend().kernels;
} catch (e) {
  skipSuite('backend/native safety', `native backend unavailable: ${(e as Error).message}`);
}

/** Expects fn to throw an Error whose message matches every pattern. */
function throwsNaming(fn: () => unknown, ...patterns: RegExp[]): void {
  let err: unknown = null;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
  for (const p of patterns) assert.match((err as Error).message, p);
}

const BIG = 2 ** 31 - 1;
const f32 = (n: number) => new Float32Array(n).fill(1);
// Loose casts: the point is to pass what TypeScript would reject.
const any = <T>(v: unknown) => v as T;

if (K) {
  const k = K;
  const t = suite('backend/native safety');
  // A valid 3x4 CSR: rows 0 and 2 have entries, row 1 is empty.
  const rp = () => Int32Array.from([0, 2, 2, 3]);
  const ci = () => Int32Array.from([1, 3, 0]);
  const va = () => Float32Array.from([1, 2, 3]);

  t('spmm/spmmT/segmentMax: corrupted CSR names the argument', () => {
    for (const [name, call] of [
      ['spmm', (r: Int32Array, c: Int32Array) => k.spmm(r, c, va(), f32(4 * 2), f32(3 * 2), 3, 4, 2, 0)],
      ['spmmT', (r: Int32Array, c: Int32Array) => k.spmmT(r, c, va(), f32(3 * 2), f32(4 * 2), 3, 4, 2, 0)],
      ['segmentMax', (r: Int32Array, c: Int32Array) => k.segmentMax(r, c, f32(4 * 2), f32(3 * 2), new Int32Array(6), 3, 4, 2)],
    ] as const) {
      const kn = new RegExp(`^${name}:`);
      throwsNaming(() => call(Int32Array.from([0, 2, 1, 3]), ci()), kn, /rowPtr is not monotone at row 1/);
      throwsNaming(() => call(Int32Array.from([1, 2, 2, 3]), ci()), kn, /rowPtr\[0\] must be 0/);
      throwsNaming(() => call(Int32Array.from([0, 2, 2, 99]), ci()), kn, /colIdx is too short/);
      throwsNaming(() => call(Int32Array.from([0, 2, 2, BIG]), ci()), kn, /colIdx is too short/);
      throwsNaming(() => call(Int32Array.from([0, 2]), ci()), kn, /rowPtr is too short/);
      throwsNaming(() => call(rp(), Int32Array.from([1, 4, 0])), kn, /colIdx\[1\] = 4 is out of range \[0, 4\)/);
      throwsNaming(() => call(rp(), Int32Array.from([1, 3, -1])), kn, /colIdx\[2\] = -1 is out of range/);
      throwsNaming(() => call(rp(), Int32Array.from([BIG, 3, 0])), kn, /colIdx\[0\] = 2147483647 is out of range/);
      throwsNaming(() => call(rp(), Int32Array.from([-BIG - 1, 3, 0])), kn, /colIdx\[0\] = -2147483648/);
    }
    throwsNaming(() => k.spmm(rp(), ci(), Float32Array.from([1, 2]), f32(8), f32(6), 3, 4, 2, 0), /^spmm: values is too short/);
  });

  t('spmm/spmmT: short dense buffers and bad sizes', () => {
    throwsNaming(() => k.spmm(rp(), ci(), va(), f32(7), f32(6), 3, 4, 2, 0), /^spmm: x is too short \(length 7, need 8\)/);
    throwsNaming(() => k.spmm(rp(), ci(), va(), f32(8), f32(5), 3, 4, 2, 0), /^spmm: y is too short/);
    throwsNaming(() => k.spmmT(rp(), ci(), va(), f32(8), f32(6), 3, 4, 2, 0), /^spmmT: y is too short/);
    throwsNaming(() => k.spmm(rp(), ci(), va(), f32(8), f32(6), -3, 4, 2, 0), /^spmm: rows must be a non-negative int32 \(got -3\)/);
    throwsNaming(() => k.spmm(rp(), ci(), va(), f32(8), f32(6), 3, NaN, 2, 0), /^spmm: cols must be a non-negative int32 \(got NaN\)/);
    throwsNaming(() => k.spmm(rp(), ci(), va(), f32(8), f32(6), 3, 4, 2.5, 0), /^spmm: d must be a non-negative int32/);
    throwsNaming(() => k.spmm(rp(), ci(), va(), f32(8), f32(6), 3, 4, 2 ** 31, 0), /^spmm: d must be a non-negative int32/);
    throwsNaming(() => k.spmm(rp(), ci(), va(), f32(8), f32(6), 3, 4, BIG, 0), /^spmm: x is too short/);
  });

  t('wrong typed-array kinds and missing arguments', () => {
    throwsNaming(() => k.spmm(any(new Float32Array(4)), ci(), va(), f32(8), f32(6), 3, 4, 2, 0), /^spmm: rowPtr must be an Int32Array \(got Float32Array\)/);
    throwsNaming(() => k.spmm(rp(), any(new Uint32Array(3)), va(), f32(8), f32(6), 3, 4, 2, 0), /colIdx must be an Int32Array \(got Uint32Array\)/);
    throwsNaming(() => k.spmm(rp(), ci(), any(new Float64Array(3)), f32(8), f32(6), 3, 4, 2, 0), /values must be a Float32Array/);
    throwsNaming(() => k.gemm(any([1, 2, 3, 4]), f32(4), f32(4), 2, 2, 2, false, false, 1, 0), /^gemm: a must be a Float32Array \(got Array\)/);
    throwsNaming(() => k.gemm(f32(4), f32(4), f32(4), 2, any('2'), 2, false, false, 1, 0), /^gemm: n must be a number/);
    throwsNaming(() => k.gatherRows(f32(8), any(new Uint8Array(2)), f32(4), 4, 2, 2), /^gatherRows: idx must be an Int32Array/);
    throwsNaming(() => k.scoreTopK(f32(8), f32(2), 4, 2, 2, any(new Int8Array(4)), new Int32Array(2), f32(2)), /exclude must be a Uint8Array or null/);
    throwsNaming(() => k.unary(any('bogus'), f32(4), f32(4), 4, 0, 0), /^unary: unknown op 'bogus' \(expected neg, exp/);
    throwsNaming(() => (k.softmaxRows as unknown as (...a: unknown[]) => void)(f32(4), f32(4), 2, 2), /^softmaxRows: log must be a boolean \(got undefined\)/);
    throwsNaming(() => (nativeAddon().softmax_rows_f32 as unknown as (...a: unknown[]) => void)(f32(4), f32(4), 2, 2), /^softmaxRows: expected 5 arguments \(got 4\)/);
    throwsNaming(() => k.softmaxRows(f32(4), f32(4), 2, 2, any(1)), /^softmaxRows: log must be a boolean/);
  });

  t('gather/scatter and segmentMaxBackward indices', () => {
    throwsNaming(() => k.gatherRows(f32(8), Int32Array.from([0, 4]), f32(4), 4, 2, 2), /^gatherRows: idx\[1\] = 4 is out of range \[0, 4\)/);
    throwsNaming(() => k.gatherRows(f32(8), Int32Array.from([-1, 0]), f32(4), 4, 2, 2), /idx\[0\] = -1/);
    throwsNaming(() => k.gatherRows(f32(7), Int32Array.from([0, 1]), f32(4), 4, 2, 2), /^gatherRows: table is too short/);
    throwsNaming(() => k.gatherRows(f32(8), Int32Array.from([0, 1]), f32(3), 4, 2, 2), /^gatherRows: out is too short/);
    throwsNaming(() => k.gatherRows(f32(8), Int32Array.from([0]), f32(4), 4, 2, 2), /^gatherRows: idx is too short/);
    throwsNaming(() => k.scatterAddRows(f32(4), Int32Array.from([3, BIG]), f32(8), 4, 2, 2), /^scatterAddRows: idx\[1\] = 2147483647/);
    throwsNaming(() => k.scatterAddRows(f32(3), Int32Array.from([0, 1]), f32(8), 4, 2, 2), /^scatterAddRows: src is too short/);
    throwsNaming(() => k.segmentMaxBackward(Int32Array.from([0, -2]), f32(2), f32(4), 1, 2, 2), /^segmentMaxBackward: arg\[1\] = -2 is out of range \[-1, 2\)/);
    throwsNaming(() => k.segmentMaxBackward(Int32Array.from([0, 2]), f32(2), f32(4), 1, 2, 2), /arg\[1\] = 2 is out of range/);
    throwsNaming(() => k.segmentMaxBackward(Int32Array.from([0, -1]), f32(2), f32(3), 1, 2, 2), /^segmentMaxBackward: dx is too short/);
  });

  t('dense kernels: short buffers and bad sizes', () => {
    throwsNaming(() => k.gemm(f32(5), f32(6), f32(6), 2, 3, 3, false, false, 1, 0), /^gemm: a is too short \(length 5, need 6\)/);
    throwsNaming(() => k.gemm(f32(6), f32(9), f32(5), 2, 3, 3, true, true, 1, 0), /^gemm: c is too short/);
    throwsNaming(() => k.gemm(f32(6), f32(8), f32(6), -2, 3, 3, false, false, 1, 0), /^gemm: m must be a non-negative int32 \(got -2\)/);
    throwsNaming(() => k.gemm(f32(6), f32(8), f32(6), 2, 3, NaN, false, false, 1, 0), /^gemm: k must be a non-negative int32 \(got NaN\)/);
    throwsNaming(() => k.gemm(f32(6), f32(8), f32(6), BIG, BIG, BIG, false, false, 1, 0), /^gemm: a is too short/);
    throwsNaming(() => k.unary('exp', f32(3), f32(4), 4, 0, 0), /^unary: x is too short/);
    throwsNaming(() => k.binary('add', f32(6), f32(2), f32(6), 2, 3, 'row'), /^binary: b is too short \(length 2, need 3\)/);
    throwsNaming(() => k.binaryBackward('mul', f32(6), f32(1), f32(6), null, f32(1), 2, 3, 'col'), /^binaryBackward: b is too short/);
    throwsNaming(() => k.sumAxis(f32(6), f32(2), 2, 3, 0), /^sumAxis: y is too short/);
    throwsNaming(() => k.maxAxis(f32(6), f32(3), new Int32Array(2), 2, 3, 0), /^maxAxis: arg is too short/);
    throwsNaming(() => k.sumAxis(f32(6), f32(3), 2, 3, any(2)), /^sumAxis: axis must be 0 or 1 \(got 2\)/);
    throwsNaming(() => k.adamStep(f32(4), f32(4), f32(3), f32(4), 4, 1e-3, 0.9, 0.999, 1e-8, 0, 0.1, 0.001, false), /^adamStep: m is too short/);
    throwsNaming(() => k.scoreTopK(f32(8), f32(2), 4, 2, 3, null, new Int32Array(2), f32(3)), /^scoreTopK: outIdx is too short/);
    throwsNaming(() => k.scoreTopK(f32(8), f32(2), 4, 2, 2, new Uint8Array(3), new Int32Array(2), f32(2)), /^scoreTopK: exclude is too short/);
    throwsNaming(() => k.transpose(f32(5), f32(6), 2, 3), /^transpose: x is too short/);
    throwsNaming(() => k.fill(f32(2), 0, -1), /^fill: n must be a non-negative int32/);
  });

  t('subarray views are bounded by their own length, not the buffer', () => {
    const whole = f32(16), view = whole.subarray(4, 10); // 6 elements at byteOffset 16
    throwsNaming(() => k.fill(view, 0, 7), /^fill: y is too short \(length 6, need 7\)/);
    k.fill(view, 5, 6);
    assert.equal(Array.from(whole), [1, 1, 1, 1, 5, 5, 5, 5, 5, 5, 1, 1, 1, 1, 1, 1]);
  });

  t('the process survives and the kernels still agree with js', () => {
    const x = Float32Array.from({ length: 8 }, (_, i) => i - 3);
    const y = new Float32Array(6), yj = new Float32Array(6);
    k.spmm(rp(), ci(), va(), x, y, 3, 4, 2, 0);
    jsKernels.spmm(rp(), ci(), va(), x, yj, 3, 4, 2, 0);
    assert.equal(Array.from(y), Array.from(yj));
  });

  t.run();
}
