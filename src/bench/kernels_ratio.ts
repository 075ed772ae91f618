/**
 * wasm against native on one thread, paired: each case runs native then wasm
 * back to back, round after round, and the ratio is the median of the
 * per-round ratios. On a shared machine whose load swings between the
 * minutes a full `dpgcn bench kernels` spends per backend, a pair measured
 * within milliseconds of each other sees nearly the same load; the two
 * backends' separate medians do not. Results are checked against js by the
 * main benchmark; here the two backends are checked against each other.
 */
import type { Backend } from '../backend/kernels.js';
import { getBackend } from '../backend/registry.js';
import { Rng } from '../tensor/rng.js';
import { movielensSized, powerLaw, type BenchGraph } from './graphs.js';
import { setThreads } from './machine.js';

export interface PairedRatio { kernel: string; shape: string; wasmMs: number; nativeMs: number; ratio: number; rounds: number }

type Case = { kernel: string; shape: string; make(b: Backend): { run(): void; out: ArrayLike<number>; free(): void } };

function fill(b: Backend, n: number, seed: number): Float32Array {
  const a = b.allocF32(n), rng = new Rng(seed);
  for (let i = 0; i < n; i++) a[i] = rng.range(-1, 1);
  return a;
}

function spmmCase(g: BenchGraph, d: number, transposed: boolean): Case {
  return { kernel: transposed ? 'spmmT' : 'spmm', shape: `${g.name} ${g.nodes}x${g.nodes} d=${d}`, make(b) {
    const a = g.adj.residentOn(b), h = g.adj.structureOn(b), n = g.nodes, x = fill(b, n * d, d), y = b.allocF32(n * d);
    const run = transposed ? () => b.kernels.spmmTCsr(h, a.values, x, y, d, 0) : () => b.kernels.spmmCsr(h, a.values, x, y, d, 0);
    return { run, out: y, free: () => { b.free(x); b.free(y); } };
  } };
}

function gemmCase(m: number, k: number, n: number, ta: boolean, tb: boolean): Case {
  return { kernel: `gemm${ta ? '_tA' : ''}${tb ? '_tB' : ''}`, shape: `(${m}x${k})(${k}x${n})`, make(b) {
    const A = fill(b, m * k, 1), B = fill(b, k * n, 2), C = b.allocF32(m * n);
    return { run: () => b.kernels.gemm(A, B, C, m, n, k, ta, tb, 1, 0), out: C, free: () => { b.free(A); b.free(B); b.free(C); } };
  } };
}

function serveCases(): Case[] {
  const n = 100_000, w = 65, rng = new Rng(21);
  const items = Int8Array.from({ length: n * w }, () => rng.int(255) - 127), q = Int16Array.from({ length: w }, () => rng.int(501) - 250);
  const scale = Float32Array.from({ length: n }, () => rng.uniform() * 1e-3);
  const approx = new Float32Array(n);
  getBackend('js').kernels.scoreI8(items, scale, q, 1e-3, n, w, approx);
  const resident = (b: Backend) => {
    const q8 = b.allocF32(Math.ceil((n * w) / 4)), it = new Int8Array(q8.buffer, q8.byteOffset, n * w), sc = b.allocF32(n), ap = b.allocF32(n);
    it.set(items); sc.set(scale); ap.set(approx);
    return { q8, it, sc, ap };
  };
  return [
    { kernel: 'scoreI8', shape: `${n}x${w} int8`, make(b) {
      const r = resident(b), out = b.allocF32(n);
      return { run: () => b.kernels.scoreI8(r.it, r.sc, q, 1e-3, n, w, out), out, free: () => { b.free(r.q8); b.free(r.sc); b.free(r.ap); b.free(out); } };
    } },
    { kernel: 'boundCands', shape: `${n} scores k=10`, make(b) {
      const r = resident(b), cand = b.allocI32(n);
      return { run: () => { b.kernels.boundCandidates(r.ap, r.sc, 40, n, 10, null, cand); }, out: cand, free: () => { b.free(r.q8); b.free(r.sc); b.free(r.ap); b.free(cand); } };
    } },
  ];
}

/** Paired wasm/native (1 thread) ratios for SpMM, AᵀX, GEMM and the serving kernels. */
export function pairedRatios(o: { quick?: boolean; rounds?: number; log?: (s: string) => void } = {}): PairedRatio[] {
  const nat = getBackend('native'), wasm = getBackend('wasm'), rounds = o.rounds ?? (o.quick ? 3 : 9);
  const graphs = [movielensSized(), ...(o.quick ? [] : [powerLaw()])];
  const cases: Case[] = [];
  for (const g of graphs) for (const t of [false, true]) cases.push(spmmCase(g, 64, t));
  for (const [m, k, n] of [[2625, 64, 64], [1024, 256, 128]] as const) for (const [ta, tb] of [[false, false], [true, false], [false, true]] as const) cases.push(gemmCase(m, k, n, ta, tb));
  cases.push(...serveCases());
  setThreads('native', 1);
  const out: PairedRatio[] = [];
  try {
    for (const c of cases) {
      const a = c.make(nat), b = c.make(wasm);
      a.run(); b.run();
      for (let i = 0; i < a.out.length; i += Math.max(1, Math.floor(a.out.length / 4096))) {
        const x = a.out[i], y = b.out[i];
        if (!(Math.abs(x - y) <= 1e-3 * (1 + Math.abs(x)))) throw new Error(`${c.kernel} ${c.shape}: wasm and native differ at ${i}: ${y} vs ${x}`);
      }
      // reps per timing so one timing is >= ~2 ms (timer resolution, call overhead)
      const t0 = performance.now(); a.run(); const once = Math.max(performance.now() - t0, 1e-3), reps = Math.max(1, Math.ceil(2 / once));
      const time = (f: () => void) => { const s = performance.now(); for (let r = 0; r < reps; r++) f(); return (performance.now() - s) / reps; };
      const tn: number[] = [], tw: number[] = [], ratio: number[] = [];
      for (let r = 0; r < rounds; r++) { const x = time(a.run), y = time(b.run); tn.push(x); tw.push(y); ratio.push(y / x); }
      const med = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
      const row = { kernel: c.kernel, shape: c.shape, wasmMs: +med(tw).toFixed(4), nativeMs: +med(tn).toFixed(4), ratio: +med(ratio).toFixed(2), rounds };
      out.push(row);
      o.log?.(`paired wasm/native 1 thread: ${c.kernel.padEnd(10)} ${c.shape.padEnd(36)} native ${row.nativeMs.toFixed(3).padStart(9)} ms  wasm ${row.wasmMs.toFixed(3).padStart(9)} ms  ratio ${row.ratio.toFixed(2)}x`);
      a.free(); b.free();
    }
  } finally { setThreads('native', 0); }
  return out;
}
