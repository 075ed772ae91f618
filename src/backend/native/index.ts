/**
 * Native backend loader and glue. The addon is required from
 * <packageRoot>/build/Release/dpgcn_native.node; when it is missing the
 * thrown message carries the reason recorded by scripts/build_native.mjs
 * (build/native-status.json), so `dpgcn info` can show why. The glue only
 * maps op names to codes: the addon takes typed arrays in place (no copies)
 * and checks every length and index itself, throwing an Error that names
 * the kernel and argument. Those errors are KernelArgumentError, the class
 * the js and wasm backends throw: the glue registers it with the addon.
 */
import { ArrayPool } from '../pool.js';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  BCAST_CODE, BINARY_CODE, BINARY_OP_COUNT, UNARY_CODE, UNARY_OP_COUNT,
  OwnedCsr, type Backend, type CsrHandle, type Kernels,
} from '../kernels.js';
import { packageRoot } from '../paths.js';
import { KernelArgumentError, NotPositiveDefiniteError } from '../../errors.js';
import type { NativeAddon, NativeCsr } from './addon.js';
import { validated } from '../validate.js';

export type { NativeAddon } from './addon.js';

let addon: NativeAddon | null = null;

function buildReason(root: string): string | null {
  const status = join(root, 'build', 'native-status.json');
  if (!existsSync(status)) return null;
  try {
    const s = JSON.parse(readFileSync(status, 'utf8')) as { ok?: boolean; reason?: string };
    return s.ok === false && s.reason ? s.reason : null;
  } catch {
    return null;
  }
}

/** The raw addon (loaded once); throws with the reason when it cannot load. */
export function nativeAddon(): NativeAddon {
  if (addon) return addon;
  const root = packageRoot();
  const file = join(root, 'build', 'Release', 'dpgcn_native.node');
  if (!existsSync(file)) {
    const why = buildReason(root);
    throw new Error(why ? `native addon not built: ${why}` : `native addon not built (no ${file}; run npm run build:native)`);
  }
  let a: NativeAddon;
  try {
    a = createRequire(import.meta.url)(file) as NativeAddon;
  } catch (err) {
    throw new Error(`native addon failed to load: ${(err as Error).message.split('\n')[0]}`);
  }
  if (a.unary_op_count() !== UNARY_OP_COUNT || a.binary_op_count() !== BINARY_OP_COUNT) {
    throw new Error(`native addon is stale: it has ${a.unary_op_count()} unary / ${a.binary_op_count()} binary ops, ` +
      `kernels.ts has ${UNARY_OP_COUNT} / ${BINARY_OP_COUNT} (rebuild with npm run build:native)`);
  }
  a.set_error_class(KernelArgumentError);
  return (addon = a);
}

function makeKernels(a: NativeAddon): Kernels {
  const handles = new WeakSet<object>();
  const H = (h: CsrHandle) => (h as OwnedCsr<NativeCsr>).data;
  // Index contents are scanned by the addon where it reads them (memory safety, same wording).
  return validated({
    csrPrepare: (rowPtr, colIdx, rows, cols) => {
      const ext = a.csr_prepare(rowPtr, colIdx, rows, cols);
      const nnz = rowPtr[rows];
      const h = new OwnedCsr<NativeCsr>(rows, cols, nnz, ext, (e) => a.csr_free(e));
      handles.add(h);
      return h;
    },
    spmmCsr: (h, values, x, y, d, beta) => a.spmm_csr_h_f32(H(h), values, x, y, d, beta),
    spmmTCsr: (h, values, x, y, d, beta) => a.spmm_csr_t_h_f32(H(h), values, x, y, d, beta),
    segmentMaxCsr: (h, x, y, arg, d) => a.segment_max_h_f32(H(h), x, y, arg, d),
    gemm: (x, w, c, m, n, k, ta, tb, alpha, beta) => a.gemm_f32(x, w, c, m, n, k, ta, tb, alpha, beta),
    transpose: (x, y, m, n) => a.transpose_f32(x, y, m, n),
    rowDot: (x, w, y, m, n) => a.row_dot_f32(x, w, y, m, n),
    axpy: (alpha, x, y, n) => a.axpy_f32(alpha, x, y, n),
    fill: (y, value, n) => a.fill_f32(y, value, n),
    unary: (op, x, y, n, p, q) => a.unary_f32(UNARY_CODE[op], x, y, n, p, q),
    unaryBackward: (op, x, y, dy, dx, n, p, q) => a.unary_backward_f32(UNARY_CODE[op], x, y, dy, dx, n, p, q),
    binary: (op, x, w, y, m, n, mode) => a.binary_f32(BINARY_CODE[op], x, w, y, m, n, BCAST_CODE[mode]),
    binaryBackward: (op, x, w, dy, da, db, m, n, mode) =>
      a.binary_backward_f32(BINARY_CODE[op], x, w, dy, da, db, m, n, BCAST_CODE[mode]),
    sumAxis: (x, y, m, n, axis) => a.sum_axis_f32(x, y, m, n, axis),
    maxAxis: (x, y, arg, m, n, axis) => a.max_axis_f32(x, y, arg, m, n, axis),
    softmaxRows: (x, y, m, n, log) => a.softmax_rows_f32(x, y, m, n, log),
    softmaxRowsBackward: (y, dy, dx, m, n, log) => a.softmax_rows_backward_f32(y, dy, dx, m, n, log),
    bceLogits: (z, t, out, n) => a.bce_logits_f32(z, t, out, n),
    bceLogitsBackward: (z, t, dy, dz, n) => a.bce_logits_backward_f32(z, t, dy, dz, n),
    gatherRows: (table, idx, out, tableRows, nIdx, d) => a.gather_rows_f32(table, idx, out, tableRows, nIdx, d),
    scatterAddRows: (src, idx, table, tableRows, nIdx, d) => a.scatter_add_rows_f32(src, idx, table, tableRows, nIdx, d),
    spmm: (rp, ci, v, x, y, rows, cols, d, beta) => a.spmm_csr_f32(rp, ci, v, x, y, rows, cols, d, beta),
    spmmT: (rp, ci, v, x, y, rows, cols, d, beta) => a.spmm_csr_t_f32(rp, ci, v, x, y, rows, cols, d, beta),
    segmentMax: (rp, ci, x, y, arg, rows, cols, d) => a.segment_max_f32(rp, ci, x, y, arg, rows, cols, d),
    segmentMaxBackward: (arg, dy, dx, rows, cols, d) => a.segment_max_backward_f32(arg, dy, dx, rows, cols, d),
    adamStep: (p, g, m, v, n, lr, b1, b2, eps, wd, bc1, bc2, decoupled) =>
      a.adam_step_f32(p, g, m, v, n, lr, b1, b2, eps, wd, bc1, bc2, decoupled),
    cholesky: (x, n) => {
      const bad = a.cholesky_f32(x, n);
      if (bad >= 0) throw new NotPositiveDefiniteError('cholesky', bad);
    },
    trsm: (l, b, n, m, trans) => a.trsm_f32(l, b, n, m, trans),
    choleskyInverse: (x, n) => a.cholesky_inverse_f32(x, n),
    scoreTopK: (items, q, nItems, d, k, exclude, outIdx, outScore) =>
      a.score_topk_f32(items, q, nItems, d, k, exclude, outIdx, outScore),
    scoreI8: (items, scale, q, qScale, nItems, d, out) => a.score_i8_f32(items, scale, q, qScale, nItems, d, out),
    boundCandidates: (approx, scale, alpha, n, k, exclude, out) => a.bound_candidates_f32(approx, scale, alpha, n, k, exclude, out),
  }, { scanner: null, owns: (h) => handles.has(h as object) });
}

/** The native Backend; throws an Error whose message is the reason it is unavailable. */
export function loadNativeBackend(): Backend {
  const a = nativeAddon();
  const pool = new ArrayPool();
  return {
    name: 'native',
    kernels: makeKernels(a),
    allocF32: (n) => pool.allocF32(n),
    allocI32: (n) => pool.allocI32(n),
    free: (arr) => pool.free(arr),
    idleBytes: () => pool.idleBytes,
    releaseIdle: () => pool.clear(),
    info: () => {
      const i = a.info();
      return { name: 'native', available: true, simd: i.simd, isa: i.isa, threads: i.threads };
    },
    liveAllocations: () => 0,
  };
}

/** Machine limits measured by the addon, for the benchmark's fraction-of-peak columns. */
export function nativeMachineLimits(): { triadGBs(threads: number): number; peakGflopsPerCore(): number } {
  const a = nativeAddon();
  return { triadGBs: (threads) => a.triad_gbs(threads), peakGflopsPerCore: () => a.fma_peak_gflops() };
}

/** Sets the native pool size (0 = default); returns the count in use. */
export function setNativeThreads(n: number): number {
  return nativeAddon().set_threads(n);
}

/** Forces the native kernels' ISA path ('portable' or 'avx2'); returns the active one. */
export function setNativeIsa(isa: 'portable' | 'avx2'): string {
  return nativeAddon().set_isa(isa);
}

/**
 * Returns freed C-heap pages to the OS (glibc malloc_trim), where the addon
 * loads; typed arrays live on that heap, and glibc keeps freed ones mapped.
 * Returns whether anything was released (false without the addon).
 */
export function trimNativeHeap(): boolean {
  try { return nativeAddon().trim_memory() === 1; } catch { return false; }
}
