/**
 * The wasm backend at its boundary: corrupted CSR structures, out-of-range
 * indices, short buffers and bad sizes must each throw a JS Error that names
 * the argument, before any kernel touches memory; afterwards the process and
 * the backend carry on as if nothing happened. Every case runs with
 * resident (wasm memory) and foreign (plain JS) arrays.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { testUnless } from '../helpers/skip.js';
import { jsKernels } from '../../src/backend/js/index.js';
import type { Kernels } from '../../src/backend/kernels.js';
import { loadWasmBackend, type WasmBackend } from '../../src/backend/wasm/index.js';

let wasm: WasmBackend | null = null;
let unavailable: string | null = null;
try {
  wasm = loadWasmBackend();
} catch (e) {
  unavailable = `wasm backend unavailable: ${(e as Error).message}`;
}

/** Expects fn to throw an Error whose message matches every pattern. */
function throwsNaming(fn: () => unknown, ...patterns: RegExp[]): void {
  let err: unknown = null;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
  for (const p of patterns) assert.match((err as Error).message, p);
}

type Mk = { f32: (v: ArrayLike<number>) => Float32Array; i32: (v: ArrayLike<number>) => Int32Array; name: string };
const foreign: Mk = { name: 'foreign', f32: (v) => Float32Array.from(v), i32: (v) => Int32Array.from(v) };
const resident = (w: WasmBackend): Mk => ({
  name: 'resident',
  f32: (v) => { const a = w.allocF32(v.length); a.set(v); return a; },
  i32: (v) => { const a = w.allocI32(v.length); a.set(v); return a; },
});

const BIG = 2 ** 31 - 1;
const suiteT = suite('backend/wasm safety');
/** A test of the loaded wasm backend, counted as skipped (with the reason) when it did not load. */
function t(name: string, fn: (wasm: WasmBackend) => void): void {
  testUnless(suiteT, unavailable, name, () => fn(wasm!));
}

function cases(name: string, body: (K: Kernels, mk: Mk) => void): void {
  t(name, (wasm) => {
    for (const mk of [foreign, resident(wasm)]) body(wasm.kernels, mk);
  });
}

// A valid 3x4 CSR: row 0 {0,2}, row 1 {}, row 2 {1,3,3}.
const RP = [0, 2, 2, 5], CI = [0, 2, 1, 3, 3], VAL = [1, 2, 3, 4, 5];

cases('corrupted CSR structures are rejected by spmm, spmmT and segmentMax', (K, mk) => {
  const x = mk.f32(new Float32Array(4 * 2)), xt = mk.f32(new Float32Array(3 * 2));
  const y = mk.f32(new Float32Array(3 * 2)), yt = mk.f32(new Float32Array(4 * 2)), arg = mk.i32(new Int32Array(6));
  const bad: [number[], number[], RegExp][] = [
    [[0, 2, 1, 5], CI, /rowPtr/],            // not monotone
    [[1, 2, 2, 5], CI, /rowPtr\[0\]/],        // does not start at 0
    [[0, 2, 2, 7], CI, /colIdx.*short/],      // nnz beyond colIdx
    [[0, 2, 2], CI, /rowPtr.*short/],         // rowPtr too short
    [RP, [0, 2, 1, 4, 3], /colIdx\[3\]/],     // == cols
    [RP, [0, -1, 1, 3, 3], /colIdx\[1\]/],    // negative
    [RP, [0, 2, BIG, 3, 3], /colIdx\[2\]/],   // huge
    [[0, 2, 2, -2147483648], CI, /rowPtr/],   // huge negative nnz
  ];
  for (const [rp, ci, re] of bad) {
    const r = mk.i32(rp), c = mk.i32(ci), v = mk.f32(VAL);
    throwsNaming(() => K.spmm(r, c, v, x, y, 3, 4, 2, 0), /spmm/, re);
    throwsNaming(() => K.spmmT(r, c, v, xt, yt, 3, 4, 2, 0), /spmmT/, re);
    throwsNaming(() => K.segmentMax(r, c, x, y, arg, 3, 4, 2), /segmentMax/, re);
  }
  throwsNaming(() => K.spmm(mk.i32(RP), mk.i32(CI), mk.f32([1, 2, 3]), x, y, 3, 4, 2, 0), /values/);
  throwsNaming(() => K.spmm(mk.i32(RP), mk.i32(CI), mk.f32(VAL), mk.f32([1, 2]), y, 3, 4, 2, 0), /\bx\b/);
  throwsNaming(() => K.spmm(mk.i32(RP), mk.i32(CI), mk.f32(VAL), x, mk.f32([1]), 3, 4, 2, 0), /\by\b/);
  throwsNaming(() => K.spmmT(mk.i32(RP), mk.i32(CI), mk.f32(VAL), xt, mk.f32([1]), 3, 4, 2, 0), /\by\b/);
  throwsNaming(() => K.segmentMax(mk.i32(RP), mk.i32(CI), x, y, mk.i32([0]), 3, 4, 2), /arg/);
});

cases('out-of-range gather, scatter and argmax indices', (K, mk) => {
  const table = mk.f32(new Float32Array(5 * 3)), out = mk.f32(new Float32Array(4 * 3));
  for (const badIdx of [-1, 5, BIG, -BIG - 1]) {
    const idx = mk.i32([0, 4, badIdx, 1]);
    throwsNaming(() => K.gatherRows(table, idx, out, 5, 4, 3), /gatherRows/, /idx\[2\]/);
    throwsNaming(() => K.scatterAddRows(out, idx, table, 5, 4, 3), /scatterAddRows/, /idx\[2\]/);
  }
  throwsNaming(() => K.gatherRows(table, mk.i32([0, 1]), out, 5, 4, 3), /idx/, /short/);
  for (const badArg of [-2, 4, BIG]) {
    const arg = mk.i32([0, -1, badArg, 3, 3, 3]);
    throwsNaming(() => K.segmentMaxBackward(arg, mk.f32(new Float32Array(6)), mk.f32(new Float32Array(8)), 3, 4, 2),
      /segmentMaxBackward/, /arg\[2\]/);
  }
});

cases('short buffers name the argument', (K, mk) => {
  const f = (n: number) => mk.f32(new Float32Array(n));
  throwsNaming(() => K.gemm(f(5), f(12), f(8), 2, 4, 3, false, false, 1, 0), /gemm/, /\ba\b/);
  throwsNaming(() => K.gemm(f(6), f(11), f(8), 2, 4, 3, true, true, 1, 0), /\bb\b/);
  throwsNaming(() => K.gemm(f(6), f(12), f(7), 2, 4, 3, false, false, 1, 0), /\bc\b/);
  throwsNaming(() => K.gemm(f(6), f(12), f(8), BIG, 4, 3, false, false, 1, 0), /\ba\b/);
  throwsNaming(() => K.transpose(f(5), f(6), 2, 3), /transpose/, /\bx\b/);
  throwsNaming(() => K.rowDot(f(6), f(6), f(1), 2, 3), /rowDot/, /\by\b/);
  throwsNaming(() => K.axpy(1, f(3), f(4), 4), /axpy/, /\bx\b/);
  throwsNaming(() => K.fill(f(3), 0, 4), /fill/, /\by\b/);
  throwsNaming(() => K.unary('exp', f(4), f(3), 4, 0, 0), /unary/, /\by\b/);
  throwsNaming(() => K.unaryBackward('relu', f(4), f(4), f(3), f(4), 4, 0, 0), /\bdy\b/);
  throwsNaming(() => K.binary('add', f(6), f(2), f(6), 2, 3, 'row'), /binary/, /\bb\b/);
  throwsNaming(() => K.binaryBackward('mul', f(6), f(1), f(6), f(6), f(0), 2, 3, 'scalar'), /\bdb\b/);
  throwsNaming(() => K.binaryBackward('mul', f(6), f(6), f(6), f(5), null, 2, 3, 'full'), /\bda\b/);
  throwsNaming(() => K.sumAxis(f(6), f(2), 2, 3, 0), /sumAxis/, /\by\b/);
  throwsNaming(() => K.maxAxis(f(6), f(2), mk.i32([0]), 2, 3, 1), /maxAxis/, /arg/);
  throwsNaming(() => K.softmaxRows(f(5), f(6), 2, 3, false), /softmaxRows/, /\bx\b/);
  throwsNaming(() => K.softmaxRowsBackward(f(6), f(6), f(5), 2, 3, true), /\bdx\b/);
  throwsNaming(() => K.bceLogits(f(4), f(3), f(4), 4), /bceLogits/, /\bt\b/);
  throwsNaming(() => K.bceLogitsBackward(f(4), f(4), f(4), f(3), 4), /\bdz\b/);
  throwsNaming(() => K.adamStep(f(4), f(4), f(4), f(3), 4, 1e-3, 0.9, 0.999, 1e-8, 0, 0.1, 0.001, false), /adamStep/, /\bv\b/);
  throwsNaming(() => K.scoreTopK(f(11), f(4), 3, 4, 2, null, mk.i32([0, 0]), f(2)), /scoreTopK/, /items/);
  throwsNaming(() => K.scoreTopK(f(12), f(4), 3, 4, 2, new Uint8Array(2), mk.i32([0, 0]), f(2)), /exclude/);
  throwsNaming(() => K.scoreTopK(f(12), f(4), 3, 4, 3, null, mk.i32([0, 0]), f(3)), /outIdx/);
  // A resident view that is too short is caught the same way.
  throwsNaming(() => K.axpy(1, f(8).subarray(0, 3), f(4), 4), /\bx\b/);
});

cases('negative, fractional, NaN and oversized sizes, and unknown codes', (K, mk) => {
  const f = (n: number) => mk.f32(new Float32Array(n));
  for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 31]) {
    throwsNaming(() => K.gemm(f(4), f(4), f(4), bad, 2, 2, false, false, 1, 0), /gemm/, /\bm\b/);
    throwsNaming(() => K.gemm(f(4), f(4), f(4), 2, bad, 2, false, false, 1, 0), /\bn\b/);
    throwsNaming(() => K.gemm(f(4), f(4), f(4), 2, 2, bad, false, false, 1, 0), /\bk\b/);
    throwsNaming(() => K.axpy(1, f(4), f(4), bad), /axpy/, /\bn\b/);
    throwsNaming(() => K.spmm(mk.i32(RP), mk.i32(CI), mk.f32(VAL), f(8), f(6), bad, 4, 2, 0), /spmm/, /rows/);
    throwsNaming(() => K.spmm(mk.i32(RP), mk.i32(CI), mk.f32(VAL), f(8), f(6), 3, bad, 2, 0), /cols/);
    throwsNaming(() => K.spmm(mk.i32(RP), mk.i32(CI), mk.f32(VAL), f(8), f(6), 3, 4, bad, 0), /\bd\b/);
    throwsNaming(() => K.gatherRows(f(15), mk.i32([0]), f(3), 5, 1, bad), /gatherRows/, /\bd\b/);
    throwsNaming(() => K.scoreTopK(f(12), f(4), 3, 4, bad, null, mk.i32([0]), f(1)), /scoreTopK/, /\bk\b/);
    throwsNaming(() => K.segmentMaxBackward(mk.i32([0]), f(1), f(1), bad, 1, 1), /rows/);
  }
  throwsNaming(() => K.unary('nope' as never, f(4), f(4), 4, 0, 0), /unary/, /op/);
  throwsNaming(() => K.unary('constructor' as never, f(4), f(4), 4, 0, 0), /op/);
  throwsNaming(() => K.binary('add', f(4), f(4), f(4), 2, 2, 'diag' as never), /binary/, /mode/);
  throwsNaming(() => K.sumAxis(f(4), f(4), 2, 2, 2 as never), /sumAxis/, /axis/);
});

t('the backend still works after every failure, with no scratch left behind', (wasm) => {
  const fail = (): void => {
    try { wasm.kernels.spmm(Int32Array.from(RP), Int32Array.from([0, 9, 1, 3, 3]), Float32Array.from(VAL),
      new Float32Array(8), new Float32Array(6), 3, 4, 2, 0); } catch { /* expected */ }
  };
  fail(); // first call may carve fresh scratch blocks; later ones must reuse them
  const used = wasm.memoryBytes().used;
  const live = wasm.liveAllocations();
  for (let i = 0; i < 100; i++) fail();
  assert.is(wasm.memoryBytes().used, used, 'failed calls leaked scratch');
  assert.is(wasm.liveAllocations(), live);
  const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  const y = new Float32Array(6), ref = new Float32Array(6);
  const args = [Int32Array.from(RP), Int32Array.from(CI), Float32Array.from(VAL)] as const;
  wasm.kernels.spmm(...args, x, y, 3, 4, 2, 0);
  jsKernels.spmm(...args, x, ref, 3, 4, 2, 0);
  assert.equal(Array.from(y), Array.from(ref));
  assert.equal(Array.from(y), [1 + 2 * 5, 2 + 2 * 6, 0, 0, 3 * 3 + 4 * 7 + 5 * 7, 3 * 4 + 4 * 8 + 5 * 8]);
});

suiteT.run();
