/**
 * The wasm backend's memory model: 64-byte aligned blocks in the module's
 * shared linear memory, reuse after free, a live count that returns to its
 * baseline, views that survive memory growth, zero copies for resident
 * arrays, and a correct copy path for foreign arrays and offset subarrays.
 */
import { suite } from 'uvu';
import { testUnless } from '../helpers/skip.js';
import * as assert from 'uvu/assert';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BINARY_OP_COUNT, UNARY_OP_COUNT } from '../../src/backend/kernels.js';
import { jsKernels } from '../../src/backend/js/index.js';
import { loadWasmBackend, type WasmBackend } from '../../src/backend/wasm/index.js';
import { WasmHeap, sizeClass } from '../../src/backend/wasm/heap.js';

let wasm: WasmBackend | null = null;
let unavailable: string | null = null;
try {
  wasm = loadWasmBackend();
} catch (e) {
  unavailable = `wasm backend unavailable: ${(e as Error).message}`;
}

let seed = 12345;
function rand(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}
function randomF32(n: number, into?: Float32Array): Float32Array {
  const a = into ?? new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rand() * 2 - 1;
  return a;
}
function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.is(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.unreachable(`${what}[${i}]: ${a[i]} !== ${b[i]}`);
  }
}
function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.is(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(b[i])))) assert.unreachable(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

const heapSuite = suite('backend/wasm heap (unit)');

heapSuite('size classes are 64-byte multiples, cover the request, waste at most a quarter', () => {
  for (const bytes of [0, 1, 63, 64, 65, 200, 257, 1000, 4097, 65535, 100_000, 1 << 20, (1 << 20) + 1, 5_000_001]) {
    const c = sizeClass(bytes);
    assert.ok(c % 64 === 0 && c >= bytes, `class of ${bytes} is ${c}`);
    assert.ok(c <= Math.max(256, bytes * 1.25 + 64), `class of ${bytes} wastes too much (${c})`);
  }
});

heapSuite('falls back to plain arrays when the memory cannot grow', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
  const heap = new WasmHeap(memory, 1024, 2 * 65536);
  const small = heap.allocArray(Float32Array, 100);
  assert.ok(heap.isResident(small));
  assert.is(small.byteOffset % 64, 0);
  const big = heap.allocArray(Float32Array, 200_000); // 800 KB > 128 KiB maximum
  assert.not.ok(heap.isResident(big));
  assert.is(big.length, 200_000);
  assert.is(heap.liveAllocations(), 1);
  heap.freeArray(big); // ignored: not ours
  heap.freeArray(small);
  assert.is(heap.liveAllocations(), 0);
});

heapSuite('grows a small memory and keeps old views valid', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 64, shared: true });
  const heap = new WasmHeap(memory, 0, 64 * 65536);
  const a = heap.allocArray(Float32Array, 1000);
  a.fill(3.5);
  const before = memory.buffer.byteLength;
  const b = heap.allocArray(Float32Array, 500_000);
  assert.ok(memory.buffer.byteLength > before, 'memory grew');
  assert.ok(heap.isResident(a) && heap.isResident(b));
  b.fill(1);
  assert.is(a.length, 1000);
  for (let i = 0; i < a.length; i++) if (a[i] !== 3.5) assert.unreachable(`a[${i}] changed after growth`);
  // The old view and a fresh view over the new buffer alias the same bytes.
  a[7] = 9;
  assert.is(new Float32Array(memory.buffer, a.byteOffset, 1000)[7], 9);
});

heapSuite.run();

const memSuite = suite('backend/wasm memory');
/** A test of the loaded wasm backend, counted as skipped (with the reason) when it did not load. */
function mem(name: string, fn: (wasm: WasmBackend) => void | Promise<void>): void {
  testUnless(memSuite, unavailable, name, () => fn(wasm!));
}

mem('op counts of the module equal the contract', (wasm) => {
  assert.is(wasm.exports.unary_op_count(), UNARY_OP_COUNT);
  assert.is(wasm.exports.binary_op_count(), BINARY_OP_COUNT);
});

mem('allocations are 64-byte aligned, zeroed, and resident', (wasm) => {
  const base = wasm.liveAllocations();
  const arrays: (Float32Array | Int32Array)[] = [];
  for (const n of [0, 1, 3, 16, 17, 1000, 300_000]) {
    const f = wasm.allocF32(n), i = wasm.allocI32(n);
    for (const a of [f, i]) {
      assert.is(a.length, n);
      assert.is(a.byteOffset % 64, 0, `n=${n} offset ${a.byteOffset}`);
      assert.ok(wasm.isResident(a));
      for (let j = 0; j < n; j++) if (a[j] !== 0) assert.unreachable(`not zeroed at ${j}`);
      arrays.push(a);
    }
  }
  assert.is(wasm.liveAllocations(), base + arrays.length);
  for (const a of arrays) wasm.free(a);
  assert.is(wasm.liveAllocations(), base);
});

mem('a freed block is reused (and zeroed); free is idempotent and ignores foreign arrays', (wasm) => {
  const base = wasm.liveAllocations();
  const a = wasm.allocF32(1234);
  a.fill(7);
  const off = a.byteOffset;
  wasm.free(a);
  assert.is(wasm.liveAllocations(), base);
  const b = wasm.allocF32(1234);
  assert.is(b.byteOffset, off, 'same block reused');
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) assert.unreachable('reused block not zeroed');
  wasm.free(a); // stale handle: must not free b's block
  const c = wasm.allocF32(1234);
  assert.is.not(c.byteOffset, b.byteOffset);
  wasm.free(new Float32Array(4));
  wasm.free(b.subarray(1));
  assert.is(wasm.liveAllocations(), base + 2);
  wasm.free(b); wasm.free(c); wasm.free(c);
  assert.is(wasm.liveAllocations(), base);
});

mem('views survive memory growth and kernels still read them', (wasm) => {
  const x = wasm.allocF32(4096), y = wasm.allocF32(4096);
  randomF32(4096, x);
  const keep = Float32Array.from(x);
  const size0 = wasm.memoryBytes().size;
  // Larger than everything reserved so far: forces memory.grow.
  const big = wasm.allocF32(Math.ceil((size0 + (64 << 20)) / 4));
  assert.ok(wasm.memoryBytes().size > size0, 'memory grew');
  assert.ok(wasm.isResident(big));
  big[big.length - 1] = 1;
  sameBits(x, keep, 'x after growth');
  const stats0 = wasm.copyStats();
  wasm.kernels.axpy(2, x, y, 4096);
  assert.equal(wasm.copyStats(), stats0, 'no copies for pre-growth views');
  for (let i = 0; i < 4096; i++) if (y[i] !== Math.fround(2 * keep[i])) assert.unreachable(`y[${i}]`);
  wasm.free(big); wasm.free(x); wasm.free(y);
});

mem('resident arrays and their subarrays take the zero-copy path', (wasm) => {
  const m = 37, n = 29, k = 41;
  const a = randomF32(m * k, wasm.allocF32(m * k)), b = randomF32(k * n, wasm.allocF32(k * n));
  const c = wasm.allocF32(m * n + 8);
  const cv = c.subarray(5, 5 + m * n); // non-zero byteOffset, still resident
  assert.ok(wasm.isResident(cv));
  const before = wasm.copyStats();
  wasm.kernels.gemm(a, b, cv, m, n, k, false, false, 1, 0);
  wasm.kernels.softmaxRows(cv, cv, m, n, false);
  assert.equal(wasm.copyStats(), before, 'resident calls copied something');
  const ref = new Float32Array(m * n), sm = new Float32Array(m * n);
  jsKernels.gemm(Float32Array.from(a), Float32Array.from(b), ref, m, n, k, false, false, 1, 0);
  jsKernels.softmaxRows(ref, sm, m, n, false);
  close(cv, sm, 1e-5, 'gemm+softmax');
  assert.is(c[0], 0); assert.is(c[4], 0); assert.is(c[m * n + 5], 0);
  wasm.free(a); wasm.free(b); wasm.free(c);
});

mem('foreign arrays and offset subarrays are copied in and out correctly', (wasm) => {
  const n = 103;
  const backing = randomF32(n + 20);
  const x = backing.subarray(7, 7 + n); // foreign, byteOffset 28
  const out = new Float32Array(n + 10).fill(-5);
  const y = out.subarray(3, 3 + n);
  const before = wasm.copyStats();
  wasm.kernels.unary('tanh', x, y, n, 0, 0);
  const after = wasm.copyStats();
  assert.ok(after.copiesIn >= before.copiesIn + 2, 'input and output staged');
  assert.ok(after.copiesOut >= before.copiesOut + 1, 'output copied back');
  const ref = new Float32Array(n);
  jsKernels.unary('tanh', Float32Array.from(x), ref, n, 0, 0);
  close(y, ref, 2e-6, 'tanh');
  for (const i of [0, 1, 2, n + 3, n + 9]) assert.is(out[i], -5, `out[${i}] outside the view untouched`);
  // Aliasing a foreign array as both input and output keeps its meaning.
  const z = randomF32(50), zRef = Float32Array.from(z), b = randomF32(50);
  wasm.kernels.binary('mul', z, b, z, 5, 10, 'full');
  jsKernels.binary('mul', zRef, b, zRef, 5, 10, 'full');
  sameBits(z, zRef, 'aliased binary');
});

mem('kernels give bitwise the same results on resident and foreign inputs', (wasm) => {
  const W = wasm.kernels;
  const rows = 300, cols = 250, d = 37;
  const rp: number[] = [0], ci: number[] = [];
  for (let i = 0; i < rows; i++) {
    const deg = Math.floor(rand() * 9);
    for (let j = 0; j < deg; j++) ci.push(Math.floor(rand() * cols));
    rp.push(ci.length);
  }
  const fRp = Int32Array.from(rp), fCi = Int32Array.from(ci), fV = randomF32(ci.length), fX = randomF32(cols * d);
  const rRp = wasm.allocI32(rp.length), rCi = wasm.allocI32(ci.length), rV = wasm.allocF32(ci.length), rX = wasm.allocF32(cols * d);
  rRp.set(fRp); rCi.set(fCi); rV.set(fV); rX.set(fX);
  const fY = new Float32Array(rows * d), rY = wasm.allocF32(rows * d);
  W.spmm(fRp, fCi, fV, fX, fY, rows, cols, d, 0);
  W.spmm(rRp, rCi, rV, rX, rY, rows, cols, d, 0);
  sameBits(rY, fY, 'spmm');
  const fT = new Float32Array(cols * d), rT = wasm.allocF32(cols * d);
  W.spmmT(fRp, fCi, fV, fY, fT, rows, cols, d, 0);
  W.spmmT(rRp, rCi, rV, rY, rT, rows, cols, d, 0);
  sameBits(rT, fT, 'spmmT');
  const m = 65, n = 33, k = 70;
  const fa = randomF32(k * m), fb = randomF32(n * k), ra = wasm.allocF32(k * m), rb = wasm.allocF32(n * k);
  ra.set(fa); rb.set(fb);
  const fc = randomF32(m * n), rc = wasm.allocF32(m * n);
  rc.set(fc);
  W.gemm(fa, fb, fc, m, n, k, true, true, 0.5, 2);
  W.gemm(ra, rb, rc, m, n, k, true, true, 0.5, 2);
  sameBits(rc, fc, 'gemm ta tb');
  const fi = new Int32Array(5), fs = new Float32Array(5), ri = wasm.allocI32(5), rs = wasm.allocF32(5);
  const cf = W.scoreTopK(fX, fX.subarray(0, d), cols, d, 5, null, fi, fs);
  const cr = W.scoreTopK(rX, rX.subarray(0, d), cols, d, 5, null, ri, rs);
  assert.is(cr, cf);
  sameBits(ri, fi, 'topk idx'); sameBits(rs, fs, 'topk score');
  for (const a of [rRp, rCi, rV, rX, rY, rT, ra, rb, rc, ri, rs]) wasm.free(a);
});

mem('scratch blocks of the copy path are recycled', (wasm) => {
  const x = randomF32(10_000), y = new Float32Array(10_000);
  wasm.kernels.axpy(1, x, y, 10_000);
  const used = wasm.memoryBytes().used;
  for (let i = 0; i < 200; i++) wasm.kernels.axpy(1, x, y, 10_000);
  assert.is(wasm.memoryBytes().used, used);
});

mem('arrays dropped without free() are reclaimed after garbage collection', async (wasm) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const settle = async (): Promise<void> => {
    for (let round = 0; round < 5; round++) { gc(); await new Promise((r) => setTimeout(r, 5)); }
  };
  await settle(); // garbage of earlier suites in this process is finalized first
  const base = wasm.liveAllocations();
  (() => { for (let i = 0; i < 50; i++) wasm.allocF32(1000 + i); })();
  assert.is(wasm.liveAllocations(), base + 50);
  for (let round = 0; round < 50 && wasm.liveAllocations() > base; round++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(wasm.liveAllocations() <= base, `live ${wasm.liveAllocations()} > baseline ${base}`);
});

memSuite.run();
