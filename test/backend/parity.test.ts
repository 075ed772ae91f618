/**
 * Cross-backend parity: every kernel of the contract on wasm and native
 * against the js reference, on awkward shapes (sizes 0..129 around SIMD
 * widths, empty CSR rows, nnz = 0, a single column, subarray inputs with a
 * non-zero byteOffset, large values). Tolerance rtol 1e-5 * sqrt(k) for
 * reductions of length k. Native also runs its portable path, and must give
 * bitwise-equal SpMM/spmmT/GEMM results for 1 and 2 threads.
 */
import { spawnSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { skipSuite } from '../helpers/skip.js';
import {
  BCAST_CODE, BINARY_CODE, BINARY_OP_COUNT, UNARY_CODE, UNARY_OP_COUNT,
  type Backend, type BackendName, type BinaryOp, type Broadcast, type Kernels, type UnaryOp,
} from '../../src/backend/kernels.js';
import { getBackend } from '../../src/backend/registry.js';
import { nativeAddon, setNativeIsa, setNativeThreads } from '../../src/backend/native/index.js';
import { packageRoot } from '../../src/backend/paths.js';
import { Rng } from '../../src/tensor/rng.js';
import { assertClose } from '../helpers/close.js';

const SIZES = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 127, 128, 129];
const J: Kernels = getBackend('js').kernels;
const rng = new Rng(20240601);
const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
const tol = (k: number, scale = 1) => ({ rtol: 1e-5 * Math.sqrt(Math.max(k, 1)), atol: 1e-6 * Math.sqrt(Math.max(k, 1)) * scale });

function rand(n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.range(lo, hi);
  return a;
}
/** Few distinct values, so max/argmax and top-k ties are exercised. */
function quantized(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.int(5) - 2;
  return a;
}
function randIdx(n: number, bound: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.int(bound);
  return a;
}

interface Csr { rowPtr: Int32Array; colIdx: Int32Array; values: Float32Array }
/** Random CSR with empty rows, unsorted and repeated columns (order must follow CSR order). */
function randCsr(rows: number, cols: number, maxPerRow: number): Csr {
  const rowPtr = new Int32Array(rows + 1), c: number[] = [];
  for (let i = 0; i < rows; i++) {
    const cnt = cols === 0 || rng.uniform() < 0.25 ? 0 : rng.int(maxPerRow + 1);
    for (let p = 0; p < cnt; p++) c.push(rng.int(cols));
    rowPtr[i + 1] = c.length;
  }
  return { rowPtr, colIdx: Int32Array.from(c), values: rand(c.length) };
}

/** Copies inputs into the backend's storage, as views at a byte offset when `off` > 0. */
class Arena {
  private readonly keep: (Float32Array | Int32Array)[] = [];
  constructor(private readonly B: Backend, private readonly off: number) {}
  f(src: Float32Array): Float32Array {
    const a = this.B.allocF32(src.length + this.off); this.keep.push(a);
    const v = a.subarray(this.off); v.set(src); return v;
  }
  i(src: Int32Array): Int32Array {
    const a = this.B.allocI32(src.length + this.off); this.keep.push(a);
    const v = a.subarray(this.off); v.set(src); return v;
  }
  free(): void { for (const a of this.keep) this.B.free(a); }
}

type Variant = { name: string; backend: BackendName; isa?: 'portable' };

function kernelSuite(v: Variant, B: Backend): void {
  const K = B.kernels;
  const t = suite(`kernels:${v.name}`);
  if (v.isa) {
    t.before(() => { setNativeIsa(v.isa!); });
    t.after(() => { setNativeIsa('avx2'); });
  }
  let caseNo = 0;
  /** Runs body with a fresh arena; every other case uses byteOffset views. */
  const run = (body: (A: Arena) => void) => {
    const A = new Arena(B, caseNo++ % 2 === 0 ? 0 : 3);
    try { body(A); } finally { A.free(); }
  };

  t('gemm: sizes x transpose flags x alpha/beta', () => {
    const shapes: [number, number, number][] = [];
    for (const s of SIZES) shapes.push([s, 17, 9], [9, s, 17], [17, 9, s]);
    for (let r = 0; r < 24; r++) shapes.push([pick(SIZES), pick(SIZES), pick(SIZES)]);
    const ab: [number, number][] = [[1, 0], [0.5, 1.5], [-2, 0], [1, 1]];
    for (const [m, n, k] of shapes) {
      for (const ta of [false, true]) for (const tb of [false, true]) {
        const [alpha, beta] = pick(ab);
        const big = rng.uniform() < 0.15 ? 1e4 : 1;
        const a = rand(m * k, -big, big), b = rand(k * n), c0 = rand(m * n);
        if (beta === 0) c0.fill(NaN);
        const cj = c0.slice();
        J.gemm(a, b, cj, m, n, k, ta, tb, alpha, beta);
        run((A) => {
          const c = A.f(c0);
          K.gemm(A.f(a), A.f(b), c, m, n, k, ta, tb, alpha, beta);
          assertClose(c, cj, tol(k, big * Math.max(1, Math.abs(alpha) + Math.abs(beta))), `gemm ${m}x${n}x${k} ta=${ta} tb=${tb}`);
        });
      }
    }
  });

  t('transpose, rowDot, axpy, fill', () => {
    for (let r = 0; r < 30; r++) {
      const m = pick(SIZES), n = pick(SIZES);
      const x = rand(m * n), x2 = rand(m * n), yj = new Float32Array(m * n), dj = new Float32Array(m);
      J.transpose(x, yj, m, n); J.rowDot(x, x2, dj, m, n);
      const y0 = rand(m * n), yaj = y0.slice(); J.axpy(-0.37, x, yaj, m * n);
      const f0 = rand(m * n), half = Math.floor((m * n) / 2), fj = f0.slice(); J.fill(fj, 2.5, half);
      run((A) => {
        const y = A.f(new Float32Array(m * n)), d = A.f(new Float32Array(m));
        K.transpose(A.f(x), y, m, n); assertClose(y, yj, {}, `transpose ${m}x${n}`);
        K.rowDot(A.f(x), A.f(x2), d, m, n); assertClose(d, dj, tol(n), `rowDot ${m}x${n}`);
        const ya = A.f(y0); K.axpy(-0.37, A.f(x), ya, m * n); assertClose(ya, yaj, {}, `axpy ${m * n}`);
        const f = A.f(f0); K.fill(f, 2.5, half); assertClose(f, fj, {}, `fill ${half} of ${m * n}`);
      });
    }
  });

  t('unary and unaryBackward: every op', () => {
    const params: Record<UnaryOp, [number, number]> = {
      neg: [0, 0], exp: [0, 0], log: [0, 0], sqrt: [0, 0], abs: [0, 0], sigmoid: [0, 0], tanh: [0, 0], relu: [0, 0],
      leaky_relu: [0.01, 0], softplus: [0, 0], square: [0, 0], pow: [2.5, 0], clamp: [-0.5, 0.75], scale: [-1.7, 0],
    };
    for (const op of Object.keys(UNARY_CODE) as UnaryOp[]) {
      for (const n of [0, 1, 7, 8, 9, 17, 129, 1000]) {
        const [p, q] = params[op];
        const x = rand(n, -4, 4);
        if (n > 3) { x[0] = 0; x[1] = -0.5; x[2] = 40; }
        const yj = new Float32Array(n); J.unary(op, x, yj, n, p, q);
        const dy = rand(n), dx0 = rand(n), dxj = dx0.slice(); J.unaryBackward(op, x, yj, dy, dxj, n, p, q);
        run((A) => {
          const y = A.f(new Float32Array(n)); K.unary(op, A.f(x), y, n, p, q);
          assertClose(y, yj, { rtol: 2e-6, atol: 1e-7 }, `unary ${op} n=${n}`);
          const dx = A.f(dx0); K.unaryBackward(op, A.f(x), A.f(yj), A.f(dy), dx, n, p, q);
          assertClose(dx, dxj, { rtol: 2e-6, atol: 1e-7 }, `unaryBackward ${op} n=${n}`);
        });
      }
    }
  });

  t('binary and binaryBackward: every op x broadcast, da/db null', () => {
    for (const op of Object.keys(BINARY_CODE) as BinaryOp[]) for (const mode of Object.keys(BCAST_CODE) as Broadcast[]) {
      for (const [m, n] of [[0, 5], [4, 0], [1, 1], [3, 7], [9, 17], [16, 8], [129, 5]]) {
        const bl = mode === 'full' ? m * n : mode === 'row' ? n : mode === 'col' ? m : 1;
        const a = quantized(m * n), b = quantized(bl);
        for (let i = 0; i < b.length; i++) if (b[i] === 0) b[i] = 0.5; // keep div finite
        const yj = new Float32Array(m * n); J.binary(op, a, b, yj, m, n, mode);
        const dy = rand(m * n), da0 = rand(m * n), db0 = rand(bl);
        const daj = da0.slice(), dbj = db0.slice(); J.binaryBackward(op, a, b, dy, daj, dbj, m, n, mode);
        const dbOnly = db0.slice(); J.binaryBackward(op, a, b, dy, null, dbOnly, m, n, mode);
        run((A) => {
          const y = A.f(new Float32Array(m * n)); K.binary(op, A.f(a), A.f(b), y, m, n, mode);
          assertClose(y, yj, {}, `binary ${op}/${mode} ${m}x${n}`);
          const ya = A.f(a); K.binary(op, ya, A.f(b), ya, m, n, mode); // y aliases a
          assertClose(ya, yj, {}, `binary in place ${op}/${mode}`);
          const da = A.f(da0), db = A.f(db0); K.binaryBackward(op, A.f(a), A.f(b), A.f(dy), da, db, m, n, mode);
          assertClose(da, daj, tol(1), `da ${op}/${mode} ${m}x${n}`);
          assertClose(db, dbj, tol(m * n), `db ${op}/${mode} ${m}x${n}`);
          const db2 = A.f(db0); K.binaryBackward(op, A.f(a), A.f(b), A.f(dy), null, db2, m, n, mode);
          assertClose(db2, dbOnly, tol(m * n), `db only ${op}/${mode}`);
          const da2 = A.f(da0); K.binaryBackward(op, A.f(a), A.f(b), A.f(dy), da2, null, m, n, mode);
          assertClose(da2, daj, tol(1), `da only ${op}/${mode}`);
        });
      }
    }
  });

  t('sumAxis, maxAxis (ties, empty), softmaxRows (+log) and backward', () => {
    for (let r = 0; r < 40; r++) {
      const m = pick(SIZES), n = pick(SIZES);
      const x = r % 3 === 0 ? quantized(m * n) : rand(m * n, -30, 30);
      for (const axis of [0, 1] as const) {
        const len = axis === 0 ? n : m;
        const sj = new Float32Array(len); J.sumAxis(x, sj, m, n, axis);
        const mj = new Float32Array(len), aj = new Int32Array(len); J.maxAxis(x, mj, aj, m, n, axis);
        run((A) => {
          const s = A.f(new Float32Array(len)); K.sumAxis(A.f(x), s, m, n, axis);
          assertClose(s, sj, tol(axis === 0 ? m : n, 30), `sumAxis ${axis} ${m}x${n}`);
          const mx = A.f(new Float32Array(len)), ag = A.i(new Int32Array(len)); K.maxAxis(A.f(x), mx, ag, m, n, axis);
          assertClose(mx, mj, {}, `maxAxis ${axis}`); assert.equal(Array.from(ag), Array.from(aj), `argmax ${axis} ${m}x${n}`);
        });
      }
      for (const log of [false, true]) {
        const yj = new Float32Array(m * n); J.softmaxRows(x, yj, m, n, log);
        const dy = rand(m * n), dx0 = rand(m * n), dxj = dx0.slice(); J.softmaxRowsBackward(yj, dy, dxj, m, n, log);
        run((A) => {
          const y = A.f(new Float32Array(m * n)); K.softmaxRows(A.f(x), y, m, n, log);
          assertClose(y, yj, tol(n), `softmaxRows log=${log} ${m}x${n}`);
          const dx = A.f(dx0); K.softmaxRowsBackward(A.f(yj), A.f(dy), dx, m, n, log);
          assertClose(dx, dxj, tol(n), `softmaxRowsBackward log=${log} ${m}x${n}`);
        });
      }
    }
  });

  t('bceLogits and backward, adamStep (coupled, decoupled)', () => {
    for (const n of [0, 1, 5, 8, 17, 129, 4096]) {
      const z = rand(n, -40, 40), tg = new Float32Array(n).map(() => rng.int(2)), dy = rand(n);
      const oj = new Float32Array(n); J.bceLogits(z, tg, oj, n);
      const dz0 = rand(n), dzj = dz0.slice(); J.bceLogitsBackward(z, tg, dy, dzj, n);
      run((A) => {
        const o = A.f(new Float32Array(n)); K.bceLogits(A.f(z), A.f(tg), o, n); assertClose(o, oj, {}, `bceLogits ${n}`);
        const dz = A.f(dz0); K.bceLogitsBackward(A.f(z), A.f(tg), A.f(dy), dz, n); assertClose(dz, dzj, {}, `bceLogitsBackward ${n}`);
      });
      for (const decoupled of [false, true]) {
        const p0 = rand(n), g = rand(n), m0 = rand(n, -0.1, 0.1), v0 = rand(n, 0, 0.1);
        const pj = p0.slice(), mj = m0.slice(), vj = v0.slice();
        const args = [1e-3, 0.9, 0.999, 1e-8, 0.01, 1 - 0.9 ** 3, 1 - 0.999 ** 3, decoupled] as const;
        J.adamStep(pj, g, mj, vj, n, ...args);
        run((A) => {
          const p = A.f(p0), m = A.f(m0), v = A.f(v0);
          K.adamStep(p, A.f(g), m, v, n, ...args);
          assertClose(p, pj, {}, `adam p ${n}`); assertClose(m, mj, {}, 'adam m'); assertClose(v, vj, {}, 'adam v');
        });
      }
    }
  });

  t('gatherRows and scatterAddRows (repeated indices)', () => {
    for (let r = 0; r < 30; r++) {
      const rows = 1 + rng.int(40), nIdx = pick(SIZES), d = pick(SIZES);
      const table = rand(rows * d), idx = randIdx(nIdx, rows), src = rand(nIdx * d);
      const gj = new Float32Array(nIdx * d); J.gatherRows(table, idx, gj, rows, nIdx, d);
      const tj = table.slice(); J.scatterAddRows(src, idx, tj, rows, nIdx, d);
      run((A) => {
        const g = A.f(new Float32Array(nIdx * d)); K.gatherRows(A.f(table), A.i(idx), g, rows, nIdx, d);
        assertClose(g, gj, {}, `gatherRows ${nIdx}x${d}`);
        const tb = A.f(table); K.scatterAddRows(A.f(src), A.i(idx), tb, rows, nIdx, d);
        assertClose(tb, tj, tol(nIdx), `scatterAddRows ${nIdx}x${d}`);
      });
    }
  });

  t('spmm, spmmT: empty rows, nnz 0, one column, beta', () => {
    const shapes: [number, number, number][] = [[0, 0, 4], [3, 0, 5], [5, 1, 9], [1, 7, 17], [17, 9, 0]];
    for (let r = 0; r < 30; r++) shapes.push([pick(SIZES), pick(SIZES), pick(SIZES)]);
    for (const [rows, cols, d] of shapes) {
      const A0 = randCsr(rows, cols, 12);
      const x = rand(cols * d), xt = rand(rows * d);
      for (const beta of [0, 0.5]) {
        const y0 = rand(rows * d), yt0 = rand(cols * d);
        if (beta === 0) { y0.fill(NaN); yt0.fill(NaN); }
        const yj = y0.slice(), ytj = yt0.slice();
        J.spmm(A0.rowPtr, A0.colIdx, A0.values, x, yj, rows, cols, d, beta);
        J.spmmT(A0.rowPtr, A0.colIdx, A0.values, xt, ytj, rows, cols, d, beta);
        run((A) => {
          const rp = A.i(A0.rowPtr), ci = A.i(A0.colIdx), va = A.f(A0.values);
          const y = A.f(y0); K.spmm(rp, ci, va, A.f(x), y, rows, cols, d, beta);
          assertClose(y, yj, tol(12), `spmm ${rows}x${cols} d=${d} beta=${beta}`);
          const yt = A.f(yt0); K.spmmT(rp, ci, va, A.f(xt), yt, rows, cols, d, beta);
          assertClose(yt, ytj, tol(rows), `spmmT ${rows}x${cols} d=${d} beta=${beta}`);
        });
      }
    }
  });

  t('segmentMax (ties, empty rows) and backward', () => {
    for (let r = 0; r < 30; r++) {
      const rows = pick(SIZES), cols = 1 + rng.int(20), d = pick(SIZES);
      const A0 = randCsr(rows, cols, 6), x = quantized(cols * d);
      const yj = new Float32Array(rows * d), aj = new Int32Array(rows * d);
      J.segmentMax(A0.rowPtr, A0.colIdx, x, yj, aj, rows, cols, d);
      const dy = rand(rows * d), dx0 = rand(cols * d), dxj = dx0.slice();
      J.segmentMaxBackward(aj, dy, dxj, rows, cols, d);
      run((A) => {
        const y = A.f(new Float32Array(rows * d)), ag = A.i(new Int32Array(rows * d));
        K.segmentMax(A.i(A0.rowPtr), A.i(A0.colIdx), A.f(x), y, ag, rows, cols, d);
        assertClose(y, yj, {}, `segmentMax ${rows}x${cols} d=${d}`);
        assert.equal(Array.from(ag), Array.from(aj), `segmentMax arg ${rows}x${cols} d=${d}`);
        const dx = A.f(dx0); K.segmentMaxBackward(A.i(aj), A.f(dy), dx, rows, cols, d);
        assertClose(dx, dxj, tol(rows), `segmentMaxBackward ${rows}x${cols} d=${d}`);
      });
    }
  });

  t('scoreTopK: ties, exclude, k > candidates, k = 0', () => {
    for (let r = 0; r < 30; r++) {
      const nItems = pick(SIZES), d = pick([1, 3, 8, 17, 64]), k = pick([0, 1, 5, 16, 200]);
      const items = r % 2 ? quantized(nItems * d) : rand(nItems * d), q = r % 2 ? quantized(d) : rand(d);
      const ex = r % 3 === 0 ? null : Uint8Array.from({ length: nItems }, () => (rng.uniform() < 0.3 ? 1 : 0));
      const ij = new Int32Array(k), sj = new Float32Array(k);
      const cj = J.scoreTopK(items, q, nItems, d, k, ex, ij, sj);
      run((A) => {
        const oi = A.i(new Int32Array(k)), os = A.f(new Float32Array(k));
        const c = K.scoreTopK(A.f(items), A.f(q), nItems, d, k, ex, oi, os);
        assert.is(c, cj, `scoreTopK count ${nItems}x${d} k=${k}`);
        assert.equal(Array.from(oi), Array.from(ij), `scoreTopK idx ${nItems}x${d} k=${k}`);
        assertClose(os, sj, tol(d), 'scoreTopK scores');
      });
    }
  });

  t('large shapes (the multi-threaded paths)', () => {
    const m = 1000, n = 300, x = rand(m * n, -3, 3), x2 = rand(m * n), dy = rand(m * n);
    const cmp = (name: string, k: number, jsRun: (...o: Float32Array[]) => void, bRun: (...o: Float32Array[]) => void, ...outs: Float32Array[]) => {
      const oj = outs.map((o) => o.slice()); jsRun(...oj);
      run((A) => { const ob = outs.map((o) => A.f(o)); bRun(...ob); ob.forEach((o, i) => assertClose(o, oj[i], tol(k), `${name} [${i}]`)); });
    };
    for (const mode of ['row', 'col', 'scalar', 'full'] as const) {
      const b = rand(mode === 'row' ? n : mode === 'col' ? m : mode === 'scalar' ? 1 : m * n, 0.5, 2);
      cmp(`binary div/${mode}`, 1, (y) => J.binary('div', x, b, y, m, n, mode), (y) => K.binary('div', x, b, y, m, n, mode), new Float32Array(m * n));
      cmp(`binaryBackward mul/${mode}`, m * n, (da, db) => J.binaryBackward('mul', x, b, dy, da, db, m, n, mode),
        (da, db) => K.binaryBackward('mul', x, b, dy, da, db, m, n, mode), rand(m * n), rand(b.length));
    }
    for (const axis of [0, 1] as const) {
      const len = axis ? m : n;
      cmp(`sumAxis ${axis}`, axis ? n : m, (y) => J.sumAxis(x, y, m, n, axis), (y) => K.sumAxis(x, y, m, n, axis), new Float32Array(len));
      const aj = new Int32Array(len), ab = new Int32Array(len);
      cmp(`maxAxis ${axis}`, 1, (y) => J.maxAxis(x, y, aj, m, n, axis), (y) => K.maxAxis(x, y, ab, m, n, axis), new Float32Array(len));
      assert.equal(Array.from(ab), Array.from(aj));
    }
    cmp('softmaxRows', n, (y) => J.softmaxRows(x, y, m, n, false), (y) => K.softmaxRows(x, y, m, n, false), new Float32Array(m * n));
    cmp('unary sigmoid+relu', 1, (y, z) => { J.unary('sigmoid', x, y, m * n, 0, 0); J.unary('relu', x, z, m * n, 0, 0); },
      (y, z) => { K.unary('sigmoid', x, y, m * n, 0, 0); K.unary('relu', x, z, m * n, 0, 0); }, new Float32Array(m * n), new Float32Array(m * n));
    cmp('adamStep', 1, (p, mm, v) => J.adamStep(p, x2, mm, v, m * n, 1e-2, 0.9, 0.999, 1e-8, 0, 0.1, 0.001, false),
      (p, mm, v) => K.adamStep(p, x2, mm, v, m * n, 1e-2, 0.9, 0.999, 1e-8, 0, 0.1, 0.001, false), rand(m * n), rand(m * n), rand(m * n, 0, 1));
    cmp('transpose+rowDot+axpy', n, (y, d, z) => { J.transpose(x, y, m, n); J.rowDot(x, x2, d, m, n); J.axpy(0.3, x, z, m * n); },
      (y, d, z) => { K.transpose(x, y, m, n); K.rowDot(x, x2, d, m, n); K.axpy(0.3, x, z, m * n); }, new Float32Array(m * n), new Float32Array(m), rand(m * n));
    const rows = 3000, cols = 2000, d = 64, G = randCsr(rows, cols, 40), xs = rand(cols * d), xt = rand(rows * d);
    cmp('spmm+spmmT', 40, (y, yt) => { J.spmm(G.rowPtr, G.colIdx, G.values, xs, y, rows, cols, d, 0.5); J.spmmT(G.rowPtr, G.colIdx, G.values, xt, yt, rows, cols, d, 0); },
      (y, yt) => { K.spmm(G.rowPtr, G.colIdx, G.values, xs, y, rows, cols, d, 0.5); K.spmmT(G.rowPtr, G.colIdx, G.values, xt, yt, rows, cols, d, 0); },
      rand(rows * d), rand(cols * d));
    const argJ = new Int32Array(rows * d), argB = new Int32Array(rows * d), xq = quantized(cols * d);
    cmp('segmentMax', 1, (y) => J.segmentMax(G.rowPtr, G.colIdx, xq, y, argJ, rows, cols, d), (y) => K.segmentMax(G.rowPtr, G.colIdx, xq, y, argB, rows, cols, d), new Float32Array(rows * d));
    assert.equal(Array.from(argB), Array.from(argJ));
    cmp('segmentMaxBackward', rows, (dx) => J.segmentMaxBackward(argJ, xt, dx, rows, cols, d), (dx) => K.segmentMaxBackward(argJ, xt, dx, rows, cols, d), rand(cols * d));
    const idx = randIdx(5000, 700), src = rand(5000 * d);
    cmp('gather+scatterAdd', 5000, (g, tb) => { J.gatherRows(xs, idx, g, cols, 5000, d); J.scatterAddRows(src, idx, tb, 700, 5000, d); },
      (g, tb) => { K.gatherRows(xs, idx, g, cols, 5000, d); K.scatterAddRows(src, idx, tb, 700, 5000, d); }, new Float32Array(5000 * d), rand(700 * d));
    const gm = 301, gn = 203, gk = 517, ga = rand(gm * gk), gb = rand(gk * gn);
    for (const [ta, tb] of [[false, false], [true, true]] as const) {
      cmp(`gemm ${gm}x${gn}x${gk} ta=${ta} tb=${tb}`, gk, (c) => J.gemm(ga, gb, c, gm, gn, gk, ta, tb, 1.5, 0.5), (c) => K.gemm(ga, gb, c, gm, gn, gk, ta, tb, 1.5, 0.5), rand(gm * gn));
    }
    const nItems = 20000, items = rand(nItems * d), q = rand(d);
    const ij = new Int32Array(50), sj = new Float32Array(50), ib = new Int32Array(50), sb = new Float32Array(50);
    J.scoreTopK(items, q, nItems, d, 50, null, ij, sj); K.scoreTopK(items, q, nItems, d, 50, null, ib, sb);
    assert.equal(Array.from(ib), Array.from(ij), 'scoreTopK large');
  });

  t.run();
}

for (const name of ['wasm', 'native'] as const) {
  let B: Backend;
  try {
    B = getBackend(name);
  } catch (e) {
    skipSuite(`backend/parity ${name}`, `backend unavailable: ${(e as Error).message}`);
    continue;
  }
  kernelSuite({ name, backend: name }, B);
  if (name === 'native' && nativeAddon().info().cpuAvx2Fma) kernelSuite({ name: 'native(portable)', backend: name, isa: 'portable' }, B);
}

// ------------------------------------------------------------ native only
let native: Backend | null = null;
try { native = getBackend('native'); } catch { /* reported above */ }

if (native) {
  const K = native.kernels;
  const t = suite('native: op counts, threads, ISA');
  const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

  t('op counts match kernels.ts', () => {
    assert.is(nativeAddon().unary_op_count(), UNARY_OP_COUNT);
    assert.is(nativeAddon().binary_op_count(), BINARY_OP_COUNT);
    const info = native!.info();
    assert.is(info.name, 'native'); assert.ok(info.threads! >= 1); assert.ok(info.isa === 'avx2+fma' || info.isa === 'portable');
  });

  t('spmm, spmmT, gemm bitwise equal for 1 and 2 threads (both ISAs)', () => {
    const rows = 3000, cols = 2500, d = 67;
    const A0 = randCsr(rows, cols, 60), x = rand(cols * d), xt = rand(rows * d);
    const m = 301, n = 203, k = 517, a = rand(m * k), b = rand(k * n), c0 = rand(m * n);
    const y0 = rand(rows * d), yt0 = rand(cols * d);
    const once = () => {
      const y = y0.slice(), yt = yt0.slice(), c = c0.slice();
      K.spmm(A0.rowPtr, A0.colIdx, A0.values, x, y, rows, cols, d, 0.5);
      K.spmmT(A0.rowPtr, A0.colIdx, A0.values, xt, yt, rows, cols, d, 0);
      K.gemm(a, b, c, m, n, k, true, false, 1.25, 0.5);
      return [y, yt, c];
    };
    try {
      for (const isa of ['avx2', 'portable'] as const) {
        setNativeIsa(isa);
        setNativeThreads(1); const one = once();
        setNativeThreads(2); const two = once();
        for (let i = 0; i < 3; i++) assert.ok(bits(one[i]).equals(bits(two[i])), `${isa} output ${i} differs across thread counts`);
      }
    } finally {
      setNativeIsa('avx2'); setNativeThreads(0);
    }
  });

  t('DPGCN_NATIVE_ISA=portable selects the portable path', () => {
    const file = `${packageRoot()}/build/Release/dpgcn_native.node`;
    const r = spawnSync(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(file)}).info().isa)`], {
      env: { ...process.env, DPGCN_NATIVE_ISA: 'portable' }, encoding: 'utf8',
    });
    assert.is(r.stdout, 'portable', r.stderr);
  });

  t.run();
}
