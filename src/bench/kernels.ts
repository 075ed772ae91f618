/**
 * `dpgcn bench kernels`: SpMM (A X and A^T X) on the two benchmark graphs at
 * d = 32, 64, 128, GEMM on the model's shapes, and the dense SPD kernels
 * (Cholesky, and the inverse EASE needs) at the item counts of ml-100k and
 * of a 9,724-item ratings file, per backend and thread count, with GFLOP/s
 * and GB/s beside the machine's limits (STREAM triad and FMA peak, measured
 * by the native addon in the same run).
 */
import type { Backend, BackendName, Kernels } from '../backend/kernels.js';
import { getBackend } from '../backend/registry.js';
import { jsKernels } from '../backend/js/index.js';
import { Rng } from '../tensor/rng.js';
import type { CsrMatrix } from '../sparse/csr.js';
import { movielensSized, powerLaw, type BenchGraph } from './graphs.js';
import { medianSeconds } from './timing.js';
import { machineLimits, setThreads, type MachineLimits } from './machine.js';
import { pairedRatios, type PairedRatio } from './kernels_ratio.js';

export interface KernelResult {
  kernel: string; backend: BackendName; threads: number; shape: string; nnz?: number; d?: number;
  ms: number; gflops: number; gbs: number; peakFraction?: number; bandwidthFraction?: number;
  /** SPD cases: max over sampled rows of |A P - I| (inverse) or |L L^T - A| / max|A| (Cholesky). */
  residual?: number;
}
export interface KernelBenchReport { machine: MachineLimits; results: KernelResult[]; ratios?: ReturnType<typeof wasmNativeRatios>; paired?: PairedRatio[] }

export const KERNEL_CASES = ['spmm', 'gemm', 'spd', 'serve', 'ratio'] as const;
export type KernelCase = (typeof KERNEL_CASES)[number];

export interface KernelBenchOptions {
  quick?: boolean; backends?: BackendName[]; log?: (s: string) => void;
  /** Which groups to run (default all). */
  cases?: KernelCase[];
}

function filled(b: Backend, n: number, rng: Rng): Float32Array {
  const a = b.allocF32(n);
  for (let i = 0; i < n; i++) a[i] = rng.range(-1, 1);
  return a;
}

function check(label: string, got: ArrayLike<number>, want: ArrayLike<number>, k: number): void {
  const tol = 1e-5 * Math.sqrt(Math.max(1, k));
  for (let i = 0; i < want.length; i++) {
    const e = want[i], g = got[i];
    if (!(Math.abs(g - e) <= 1e-5 + tol * Math.abs(e) * 10)) throw new Error(`${label}: result differs from js at ${i}: ${g} vs ${e}`);
  }
}

/** Rows [r0, r1) of A as their own CSR (for validating a slice against js). */
function rowSlice(a: CsrMatrix, r0: number, r1: number) {
  const p0 = a.rowPtr[r0], p1 = a.rowPtr[r1];
  const ptr = new Int32Array(r1 - r0 + 1);
  for (let i = r0; i <= r1; i++) ptr[i - r0] = a.rowPtr[i] - p0;
  return { ptr, col: a.colIdx.slice(p0, p1), val: a.values.slice(p0, p1) };
}

function threadCounts(name: BackendName, limits: MachineLimits): number[] {
  return name === 'native' ? [...new Set([1, limits.threads])] : [1];
}

function benchSpmm(b: Backend, g: BenchGraph, d: number, threads: number, transposed: boolean, opts: KernelBenchOptions): KernelResult {
  const rng = new Rng(d);
  const a = g.adj.residentOn(b);
  const A = g.adj, n = A.rows, nnz = A.nnz;
  const x = filled(b, n * d, rng), y = b.allocF32(n * d);
  const K: Kernels = b.kernels;
  // the validated handle, as autograd uses it: O(1) checks per call
  const h = g.adj.structureOn(b);
  const run = transposed
    ? () => K.spmmTCsr(h, a.values, x, y, d, 0)
    : () => K.spmmCsr(h, a.values, x, y, d, 0);
  run();
  if (!transposed) {
    const r1 = Math.min(n, 64), s = rowSlice(A, 0, r1), want = new Float32Array(r1 * d);
    jsKernels.spmm(s.ptr, s.col, s.val, x, want, r1, n, d, 0);
    check(`spmm ${b.name}`, y.subarray(0, r1 * d), want, 64);
  } else {
    // A is symmetric, so A^T X must equal A X
    const want = new Float32Array(64 * d), s = rowSlice(A, 0, 64);
    jsKernels.spmm(s.ptr, s.col, s.val, x, want, 64, n, d, 0);
    check(`spmmT ${b.name}`, y.subarray(0, 64 * d), want, 64);
  }
  const sec = medianSeconds(`spmm ${b.name}`, run, opts);
  // bytes moved through the load/store units: the CSR, one X row gathered per entry,
  // Y written once. Cache hits on repeated X rows make DRAM traffic lower than this.
  const bytes = nnz * 8 + (n + 1) * 4 + nnz * d * 4 + n * d * 4;
  b.free(x); b.free(y);
  return { kernel: transposed ? 'spmmT' : 'spmm', backend: b.name, threads, shape: `${g.name} ${n}x${n}`, nnz, d,
    ms: sec * 1e3, gflops: (2 * nnz * d) / sec / 1e9, gbs: bytes / sec / 1e9 };
}

function benchGemm(b: Backend, m: number, k: number, n: number, ta: boolean, tb: boolean, threads: number, opts: KernelBenchOptions): KernelResult {
  const rng = new Rng(m + k + n);
  const A = filled(b, m * k, rng), B = filled(b, k * n, rng), C = b.allocF32(m * n);
  const run = () => b.kernels.gemm(A, B, C, m, n, k, ta, tb, 1, 0);
  run();
  // validate the first rows against js: gather rows of op(A), then the js reference
  const rows = Math.min(m, 8), want = new Float32Array(rows * n), opA = new Float32Array(rows * k);
  for (let i = 0; i < rows; i++) for (let p = 0; p < k; p++) opA[i * k + p] = ta ? A[p * m + i] : A[i * k + p];
  jsKernels.gemm(opA, B, want, rows, n, k, false, tb, 1, 0);
  check(`gemm ${b.name}`, C.subarray(0, rows * n), want, k);
  const sec = medianSeconds(`gemm ${b.name}`, run, opts);
  b.free(A); b.free(B); b.free(C);
  return { kernel: ta || tb ? `gemm${ta ? '_tA' : ''}${tb ? '_tB' : ''}` : 'gemm', backend: b.name, threads,
    shape: `(${m}x${k})(${k}x${n})`, ms: sec * 1e3, gflops: (2 * m * n * k) / sec / 1e9, gbs: ((m * k + k * n + m * n) * 4) / sec / 1e9 };
}

/**
 * A = X^T X + lambda I for a random 0/1 (users x n) X whose item popularity
 * falls off like a ratings file's (EASE's Gram matrix, lambda = 500).
 */
function easeGram(b: Backend, n: number, rng: Rng): Float32Array {
  const users = 1000, x = b.allocF32(users * n);
  for (let u = 0; u < users; u++) for (let i = 0; i < n; i++) x[u * n + i] = rng.uniform() < 0.5 / (1 + i / 50) ? 1 : 0;
  const a = b.allocF32(n * n);
  b.kernels.gemm(x, x, a, n, n, users, true, false, 1, 0);
  for (let i = 0; i < n; i++) a[i * n + i] += 500;
  b.free(x);
  return a;
}

/** Max |(A P)[i, :] - e_i| over 8 sampled rows i, in float64. */
function inverseResidual(a: Float32Array, p: Float32Array, n: number): number {
  let worst = 0;
  for (let s = 0; s < Math.min(n, 8); s++) {
    const i = Math.floor((s * (n - 1)) / 7);
    const row = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      const c = a[i * n + t];
      if (c === 0) continue;
      const pr = t * n;
      for (let j = 0; j < n; j++) row[j] += c * p[pr + j];
    }
    for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(row[j] - (i === j ? 1 : 0)));
  }
  return worst;
}

/** Max |L L^T - A| / max |A| over 8 sampled rows, in float64. */
function factorResidual(a: Float32Array, l: Float32Array, n: number): number {
  let worst = 0, scale = 0;
  for (let s = 0; s < Math.min(n, 8); s++) {
    const i = Math.floor((s * (n - 1)) / 7);
    for (let j = 0; j < n; j++) {
      let acc = 0;
      const k = Math.min(i, j);
      for (let t = 0; t <= k; t++) acc += l[i * n + t] * l[j * n + t];
      worst = Math.max(worst, Math.abs(acc - a[i * n + j]));
      scale = Math.max(scale, Math.abs(a[i * n + j]));
    }
  }
  return worst / scale;
}

/**
 * Cholesky (n^3/3 flops) and the SPD inverse = Cholesky + choleskyInverse
 * (n^3 flops), on EASE's Gram matrix. Each is validated by its residual; a
 * 10k inverse takes seconds, so large sizes are timed once and small ones as
 * the median of 3 (copying the input is outside the timed region).
 */
function benchSpd(b: Backend, n: number, threads: number): KernelResult[] {
  const rng = new Rng(n);
  const a = easeGram(b, n, rng), w = b.allocF32(n * n);
  const reps = n * n * n > 2e10 ? 1 : 3;
  const time = (fn: () => void): number => {
    const s: number[] = [];
    for (let r = 0; r < reps; r++) {
      w.set(a);
      const t0 = performance.now();
      fn();
      s.push((performance.now() - t0) / 1e3);
    }
    s.sort((x, y) => x - y);
    return s[s.length >> 1];
  };
  const K = b.kernels, shape = `${n}x${n} EASE Gram, lambda 500`;
  const tc = time(() => K.cholesky(w, n));
  const rc = factorResidual(a, w, n);
  if (!(rc < 1e-4)) throw new Error(`cholesky ${b.name} n=${n}: L L^T differs from A by ${rc}`);
  const ti = time(() => { K.cholesky(w, n); K.choleskyInverse(w, n); });
  const ri = inverseResidual(a, w, n);
  if (!(ri < 1e-3)) throw new Error(`spdInverse ${b.name} n=${n}: |A P - I| = ${ri}`);
  b.free(a); b.free(w);
  const bytes = 2 * n * n * 4;
  return [
    { kernel: 'cholesky', backend: b.name, threads, shape, ms: tc * 1e3, gflops: n ** 3 / 3 / tc / 1e9, gbs: bytes / tc / 1e9, residual: rc },
    { kernel: 'spdInverse', backend: b.name, threads, shape, ms: ti * 1e3, gflops: n ** 3 / ti / 1e9, gbs: (2 * bytes) / ti / 1e9, residual: ri },
  ];
}

/**
 * The serving kernels at the issue-21 catalogue: scoreI8 over a 100k x 65
 * int8 table (rows + scales read, one float written per row) and
 * boundCandidates over its 100k approximate scores (k = 10), each checked
 * bit for bit against js first.
 */
function benchServe(b: Backend, threads: number, opts: KernelBenchOptions): KernelResult[] {
  const n = 100_000, w = 65, k = 10, rng = new Rng(21);
  const q8 = b.allocF32(Math.ceil((n * w) / 4)), items = new Int8Array(q8.buffer, q8.byteOffset, n * w);
  for (let i = 0; i < n * w; i++) items[i] = rng.int(255) - 127;
  const scale = filled(b, n, rng).map((x) => Math.abs(x) * 1e-3), approx = b.allocF32(n), cand = b.allocI32(n);
  const q = Int16Array.from({ length: w }, () => rng.int(501) - 250), shape = `${n}x${w} int8, k=${k}`;
  b.kernels.scoreI8(items, scale, q, 1e-3, n, w, approx);
  const want = new Float32Array(n);
  jsKernels.scoreI8(items, scale, q, 1e-3, n, w, want);
  check(`scoreI8 ${b.name}`, approx, want, 1);
  const alpha = 40, m = b.kernels.boundCandidates(approx, scale, alpha, n, k, null, cand), wantC = new Int32Array(n);
  if (m !== jsKernels.boundCandidates(approx, scale, alpha, n, k, null, wantC)) throw new Error(`boundCandidates ${b.name}: count differs from js`);
  check(`boundCandidates ${b.name}`, cand.subarray(0, m), wantC.subarray(0, m), 1);
  const t1 = medianSeconds(`scoreI8 ${b.name}`, () => b.kernels.scoreI8(items, scale, q, 1e-3, n, w, approx), opts);
  const t2 = medianSeconds(`boundCandidates ${b.name}`, () => b.kernels.boundCandidates(approx, scale, alpha, n, k, null, cand), opts);
  b.free(q8); b.free(approx); b.free(cand);
  return [
    { kernel: 'scoreI8', backend: b.name, threads, shape, ms: t1 * 1e3, gflops: (2 * n * w) / t1 / 1e9, gbs: (n * w + 8 * n) / t1 / 1e9 },
    { kernel: 'boundCands', backend: b.name, threads, shape: `${n} scores, k=${k}`, ms: t2 * 1e3, gflops: 0, gbs: (8 * n) / t2 / 1e9 },
  ];
}

/**
 * wasm time / native time on one thread, per kernel and shape measured on
 * both (the issue-21 target: at most 1.6).
 */
export function wasmNativeRatios(results: KernelResult[]): { kernel: string; shape: string; d?: number; wasmMs: number; nativeMs: number; ratio: number }[] {
  const key = (r: KernelResult) => `${r.kernel}|${r.shape}|${r.d ?? ''}`;
  const nat = new Map(results.filter((r) => r.backend === 'native' && r.threads === 1).map((r) => [key(r), r]));
  return results.filter((r) => r.backend === 'wasm').flatMap((r) => {
    const n = nat.get(key(r));
    return n ? [{ kernel: r.kernel, shape: r.shape, d: r.d, wasmMs: r.ms, nativeMs: n.ms, ratio: +(r.ms / n.ms).toFixed(2) }] : [];
  });
}

/** ml-100k's item count, and the held-out 100k-rating file's. */
export const SPD_SIZES = [1682, 9724];

const pct = (f: number | undefined) => (f === undefined ? '    ?' : `${(100 * f).toFixed(0).padStart(4)}%`);

export const GEMM_SHAPES: [number, number, number][] = [[2625, 64, 64], [150000, 64, 64], [1024, 256, 128], [4096, 512, 512]];

export function benchKernels(opts: KernelBenchOptions = {}): KernelBenchReport {
  const log = opts.log ?? (() => {});
  const machine = machineLimits(opts.quick);
  const backends: Backend[] = [];
  for (const name of opts.backends ?? (['js', 'wasm', 'native'] as BackendName[])) {
    try { backends.push(getBackend(name)); } catch (e) { log(`skipping ${name}: ${(e as Error).message}`); }
  }
  const cases = new Set<KernelCase>(opts.cases ?? KERNEL_CASES);
  const graphs = cases.has('spmm') ? [movielensSized()] : [];
  if (!opts.quick && cases.has('spmm')) graphs.push(powerLaw());
  const ds = opts.quick ? [64] : [32, 64, 128];
  const results: KernelResult[] = [];
  const push = (r: KernelResult) => {
    if (r.gflops && machine.peakGflopsPerCore) r.peakFraction = r.gflops / (machine.peakGflopsPerCore * r.threads);
    const bw = r.threads > 1 ? machine.triadGBs.all : machine.triadGBs['1'];
    if (bw) r.bandwidthFraction = r.gbs / bw;
    results.push(r);
    log(`${r.kernel.padEnd(10)} ${r.backend.padEnd(6)} t=${r.threads} ${r.shape.padEnd(28)} ${r.d ? `d=${String(r.d).padEnd(4)}` : '      '}` +
      `${r.ms.toFixed(3).padStart(10)} ms ${r.gflops.toFixed(2).padStart(8)} GFLOP/s ${pct(r.peakFraction)} of FMA peak ${r.gbs.toFixed(2).padStart(7)} GB/s ${pct(r.bandwidthFraction)} of triad` +
      (r.residual === undefined ? '' : ` residual ${r.residual.toExponential(1)}`));
  };
  for (const b of backends) {
    for (const threads of threadCounts(b.name, machine)) {
      setThreads(b.name, threads);
      for (const g of graphs) {
        for (const d of ds) {
          // the js reference on the 5M-nnz graph takes seconds per call: one d is enough to place it
          if (b.name === 'js' && g.adj.nnz > 1e6 && d !== 64) continue;
          push(benchSpmm(b, g, d, threads, false, opts));
          push(benchSpmm(b, g, d, threads, true, opts));
        }
      }
      for (const [m, k, n] of cases.has('gemm') ? GEMM_SHAPES : []) {
        if (opts.quick && m * n * k > 5e7) continue;
        if (b.name === 'js' && m * n * k > 2e8) continue; // naive loops: minutes, not informative
        push(benchGemm(b, m, k, n, false, false, threads, opts));
        if (m * n * k <= 2e8 || b.name !== 'js') {
          push(benchGemm(b, m, k, n, true, false, threads, opts));
          push(benchGemm(b, m, k, n, false, true, threads, opts));
        }
      }
      for (const n of cases.has('spd') ? SPD_SIZES : []) {
        if (opts.quick && n > 2000) continue;
        if (b.name === 'js' && n > 2000) continue; // float64 loops: about 15 minutes at 10k, not informative
        for (const r of benchSpd(b, n, threads)) push(r);
      }
      if (cases.has('serve') && b.name !== 'js') for (const r of benchServe(b, threads, opts)) push(r);
    }
    setThreads(b.name, machine.threads);
  }
  const ratios = wasmNativeRatios(results);
  for (const r of ratios) log(`wasm/native (1 thread) ${r.kernel.padEnd(10)} ${r.shape.padEnd(28)} ${r.d ? `d=${String(r.d).padEnd(4)}` : '      '} ${r.ratio.toFixed(2)}x`);
  // paired: native then wasm back to back per round (robust to a shared machine's swings; kernels_ratio.ts)
  const paired = cases.has('ratio') ? pairedRatios({ quick: opts.quick, log }) : undefined;
  return { machine, results, ratios, ...(paired ? { paired } : {}) };
}
