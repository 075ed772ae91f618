/**
 * The wasm backend's Kernels: validate, marshal, call. Every call is checked
 * by the validator derived from KERNEL_ARGS (src/backend/validate.ts) before
 * a kernel runs, so the AssemblyScript side can trust its inputs. Index scans
 * (CSR structure, gather/scatter indices, argmax) run in wasm for speed, on
 * the very bytes the kernel then reads: a foreign array is staged once and
 * scanned there, so JS cannot change it between check and use.
 * If scratch space for a foreign array cannot be found, the call runs on the
 * js reference instead: slower, never wrong.
 */
import { KernelArgumentError, NotPositiveDefiniteError } from '../../errors.js';
import { OwnedCsr, type Kernels } from '../kernels.js';
import { jsScanner, validateArgs, type IndexScanner } from '../validate.js';
import type { WasmHeap } from './heap.js';
import { jsKernels } from '../js/index.js';
import type { WasmExports } from './loader.js';
import { Marshal, OUT_OF_MEMORY } from './marshal.js';

interface WasmCsrCopy { rowPtr: Int32Array; colIdx: Int32Array }

export function makeKernels(E: WasmExports, M: Marshal, gemmWs: number, heap: WasmHeap): Kernels {
  const handles = new WeakSet<object>();
  /** Runs fn with marshalling; on scratch exhaustion, runs the (validated) js kernel instead. */
  function run<R>(fn: () => R, fallback: () => R): R {
    let ok = false;
    try {
      const r = fn();
      ok = true;
      return r;
    } catch (e) {
      if (e !== OUT_OF_MEMORY) throw e;
      M.end(false);
      return fallback();
    } finally {
      M.end(ok);
    }
  }

  const scanner: IndexScanner = {
    rowPtr: (rp, rows) => E.check_rowptr_i32(M.in(rp, rows + 1), rows),
    range: (idx, n, lo, hi) => E.check_range_i32(M.in(idx, n), n, lo, hi),
  };
  const opts = { scanner, owns: (h: unknown) => handles.has(h as object) };
  const V = (kernel: keyof Kernels, args: unknown[]) => validateArgs(kernel, args, opts);
  const js = jsKernels;
  const b = (v: boolean) => (v ? 1 : 0);

  return {
    gemm(a, bb, c, m, n, k, ta, tb, alpha, beta) {
      run(() => {
        V('gemm', [a, bb, c, m, n, k, ta, tb, alpha, beta]);
        E.gemm_f32(M.in(a, m * k), M.in(bb, k * n), M.out(c, m * n), m, n, k, b(ta), b(tb), alpha, beta, gemmWs);
      }, () => js.gemm(a, bb, c, m, n, k, ta, tb, alpha, beta));
    },
    transpose(x, y, m, n) {
      run(() => {
        V('transpose', [x, y, m, n]);
        E.transpose_f32(M.in(x, m * n), M.out(y, m * n), m, n);
      }, () => js.transpose(x, y, m, n));
    },
    rowDot(a, bb, y, m, n) {
      run(() => {
        V('rowDot', [a, bb, y, m, n]);
        E.row_dot_f32(M.in(a, m * n), M.in(bb, m * n), M.out(y, m), m, n);
      }, () => js.rowDot(a, bb, y, m, n));
    },
    axpy(alpha, x, y, n) {
      run(() => {
        V('axpy', [alpha, x, y, n]);
        E.axpy_f32(alpha, M.in(x, n), M.out(y, n), n);
      }, () => js.axpy(alpha, x, y, n));
    },
    fill(y, value, n) {
      run(() => {
        V('fill', [y, value, n]);
        E.fill_f32(M.out(y, n), value, n);
      }, () => js.fill(y, value, n));
    },
    unary(op, x, y, n, p, q) {
      run(() => {
        const s = V('unary', [op, x, y, n, p, q]);
        E.unary_f32(s.op, M.in(x, n), M.out(y, n), n, p, q);
      }, () => js.unary(op, x, y, n, p, q));
    },
    unaryBackward(op, x, y, dy, dx, n, p, q) {
      run(() => {
        const s = V('unaryBackward', [op, x, y, dy, dx, n, p, q]);
        E.unary_backward_f32(s.op, M.in(x, n), M.in(y, n), M.in(dy, n), M.out(dx, n), n, p, q);
      }, () => js.unaryBackward(op, x, y, dy, dx, n, p, q));
    },
    binary(op, a, bb, y, m, n, mode) {
      run(() => {
        const s = V('binary', [op, a, bb, y, m, n, mode]);
        const nb = bLength(s.mode, m, n);
        E.binary_f32(s.op, M.in(a, m * n), M.in(bb, nb), M.out(y, m * n), m, n, s.mode);
      }, () => js.binary(op, a, bb, y, m, n, mode));
    },
    binaryBackward(op, a, bb, dy, da, db, m, n, mode) {
      run(() => {
        const s = V('binaryBackward', [op, a, bb, dy, da, db, m, n, mode]);
        const nb = bLength(s.mode, m, n);
        E.binary_backward_f32(s.op, M.in(a, m * n), M.in(bb, nb), M.in(dy, m * n),
          da === null ? 0 : M.out(da, m * n), db === null ? 0 : M.out(db, nb), m, n, s.mode, b(da !== null), b(db !== null));
      }, () => js.binaryBackward(op, a, bb, dy, da, db, m, n, mode));
    },
    sumAxis(x, y, m, n, axis) {
      run(() => {
        V('sumAxis', [x, y, m, n, axis]);
        E.sum_axis_f32(M.in(x, m * n), M.out(y, axis === 0 ? n : m), m, n, axis);
      }, () => js.sumAxis(x, y, m, n, axis));
    },
    maxAxis(x, y, arg, m, n, axis) {
      run(() => {
        V('maxAxis', [x, y, arg, m, n, axis]);
        const ny = axis === 0 ? n : m;
        E.max_axis_f32(M.in(x, m * n), M.out(y, ny), M.out(arg, ny), m, n, axis);
      }, () => js.maxAxis(x, y, arg, m, n, axis));
    },
    softmaxRows(x, y, m, n, log) {
      run(() => {
        V('softmaxRows', [x, y, m, n, log]);
        E.softmax_rows_f32(M.in(x, m * n), M.out(y, m * n), m, n, b(log));
      }, () => js.softmaxRows(x, y, m, n, log));
    },
    softmaxRowsBackward(y, dy, dx, m, n, log) {
      run(() => {
        V('softmaxRowsBackward', [y, dy, dx, m, n, log]);
        E.softmax_rows_backward_f32(M.in(y, m * n), M.in(dy, m * n), M.out(dx, m * n), m, n, b(log));
      }, () => js.softmaxRowsBackward(y, dy, dx, m, n, log));
    },
    bceLogits(z, t, out, n) {
      run(() => {
        V('bceLogits', [z, t, out, n]);
        E.bce_logits_f32(M.in(z, n), M.in(t, n), M.out(out, n), n);
      }, () => js.bceLogits(z, t, out, n));
    },
    bceLogitsBackward(z, t, dy, dz, n) {
      run(() => {
        V('bceLogitsBackward', [z, t, dy, dz, n]);
        E.bce_logits_backward_f32(M.in(z, n), M.in(t, n), M.in(dy, n), M.out(dz, n), n);
      }, () => js.bceLogitsBackward(z, t, dy, dz, n));
    },
    gatherRows(table, idx, out, tableRows, nIdx, d) {
      run(() => {
        V('gatherRows', [table, idx, out, tableRows, nIdx, d]);
        E.gather_rows_f32(M.in(table, tableRows * d), M.in(idx, nIdx), M.out(out, nIdx * d), tableRows, nIdx, d);
      }, () => js.gatherRows(table, idx, out, tableRows, nIdx, d));
    },
    scatterAddRows(src, idx, table, tableRows, nIdx, d) {
      run(() => {
        V('scatterAddRows', [src, idx, table, tableRows, nIdx, d]);
        E.scatter_add_rows_f32(M.in(src, nIdx * d), M.in(idx, nIdx), M.out(table, tableRows * d), tableRows, nIdx, d);
      }, () => js.scatterAddRows(src, idx, table, tableRows, nIdx, d));
    },
    spmm(rowPtr, colIdx, values, x, y, rows, cols, d, beta) {
      run(() => {
        const { nnz } = V('spmm', [rowPtr, colIdx, values, x, y, rows, cols, d, beta]);
        E.spmm_csr_f32(M.in(rowPtr, rows + 1), M.in(colIdx, nnz), M.in(values, nnz), M.in(x, cols * d), M.out(y, rows * d),
          rows, cols, d, beta);
      }, () => js.spmm(rowPtr, colIdx, values, x, y, rows, cols, d, beta));
    },
    spmmT(rowPtr, colIdx, values, x, y, rows, cols, d, beta) {
      run(() => {
        const { nnz } = V('spmmT', [rowPtr, colIdx, values, x, y, rows, cols, d, beta]);
        E.spmm_csr_t_f32(M.in(rowPtr, rows + 1), M.in(colIdx, nnz), M.in(values, nnz), M.in(x, rows * d), M.out(y, cols * d),
          rows, cols, d, beta);
      }, () => js.spmmT(rowPtr, colIdx, values, x, y, rows, cols, d, beta));
    },
    segmentMax(rowPtr, colIdx, x, y, arg, rows, cols, d) {
      run(() => {
        const { nnz } = V('segmentMax', [rowPtr, colIdx, x, y, arg, rows, cols, d]);
        E.segment_max_f32(M.in(rowPtr, rows + 1), M.in(colIdx, nnz), M.in(x, cols * d), M.out(y, rows * d),
          M.out(arg, rows * d), rows, cols, d);
      }, () => js.segmentMax(rowPtr, colIdx, x, y, arg, rows, cols, d));
    },
    segmentMaxBackward(arg, dy, dx, rows, cols, d) {
      run(() => {
        V('segmentMaxBackward', [arg, dy, dx, rows, cols, d]);
        E.segment_max_backward_f32(M.in(arg, rows * d), M.in(dy, rows * d), M.out(dx, cols * d), rows, cols, d);
      }, () => js.segmentMaxBackward(arg, dy, dx, rows, cols, d));
    },
    csrPrepare(rowPtr, colIdx, rows, cols) {
      const args = [rowPtr, colIdx, rows, cols];
      run(() => { V('csrPrepare', args); }, () => { validateArgs('csrPrepare', args, { ...opts, scanner: jsScanner }); });
      // Copy into memory only this handle references, then re-check the copy in wasm:
      // the source may be shared memory that another thread writes.
      const rp = heap.allocArray(Int32Array, rows + 1);
      rp.set(rowPtr.subarray(0, rows + 1));
      const nnz = rp[rows];
      const ci = heap.allocArray(Int32Array, Math.max(0, nnz));
      const release = () => { heap.freeArray(rp); heap.freeArray(ci); };
      let ok = nnz >= 0 && nnz <= colIdx.length;
      if (ok) {
        ci.set(colIdx.subarray(0, nnz));
        ok = run(() => E.check_rowptr_i32(M.in(rp, rows + 1), rows) < 0 && E.check_range_i32(M.in(ci, nnz), nnz, 0, cols) < 0,
          () => jsScannerOk(rp, ci, rows, cols));
      }
      if (!ok) {
        release();
        throw new KernelArgumentError('csrPrepare: rowPtr/colIdx changed while being copied');
      }
      const h = new OwnedCsr<WasmCsrCopy>(rows, cols, nnz, { rowPtr: rp, colIdx: ci }, release);
      handles.add(h);
      return h;
    },
    spmmCsr(a, values, x, y, d, beta) {
      run(() => {
        V('spmmCsr', [a, values, x, y, d, beta]);
        const { rows, cols, nnz, data } = a as OwnedCsr<WasmCsrCopy>;
        E.spmm_csr_f32(M.in(data.rowPtr, rows + 1), M.in(data.colIdx, nnz), M.in(values, nnz), M.in(x, cols * d),
          M.out(y, rows * d), rows, cols, d, beta);
      }, () => {
        const { rows, cols, data } = a as OwnedCsr<WasmCsrCopy>;
        js.spmm(data.rowPtr, data.colIdx, values, x, y, rows, cols, d, beta);
      });
    },
    spmmTCsr(a, values, x, y, d, beta) {
      run(() => {
        V('spmmTCsr', [a, values, x, y, d, beta]);
        const { rows, cols, nnz, data } = a as OwnedCsr<WasmCsrCopy>;
        E.spmm_csr_t_f32(M.in(data.rowPtr, rows + 1), M.in(data.colIdx, nnz), M.in(values, nnz), M.in(x, rows * d),
          M.out(y, cols * d), rows, cols, d, beta);
      }, () => {
        const { rows, cols, data } = a as OwnedCsr<WasmCsrCopy>;
        js.spmmT(data.rowPtr, data.colIdx, values, x, y, rows, cols, d, beta);
      });
    },
    segmentMaxCsr(a, x, y, arg, d) {
      run(() => {
        V('segmentMaxCsr', [a, x, y, arg, d]);
        const { rows, cols, nnz, data } = a as OwnedCsr<WasmCsrCopy>;
        E.segment_max_f32(M.in(data.rowPtr, rows + 1), M.in(data.colIdx, nnz), M.in(x, cols * d), M.out(y, rows * d),
          M.out(arg, rows * d), rows, cols, d);
      }, () => {
        const { rows, cols, data } = a as OwnedCsr<WasmCsrCopy>;
        js.segmentMax(data.rowPtr, data.colIdx, x, y, arg, rows, cols, d);
      });
    },
    adamStep(p, g, m, v, n, lr, b1, b2, eps, wd, bc1, bc2, decoupled) {
      run(() => {
        V('adamStep', [p, g, m, v, n, lr, b1, b2, eps, wd, bc1, bc2, decoupled]);
        E.adam_step_f32(M.out(p, n), M.in(g, n), M.out(m, n), M.out(v, n), n, lr, b1, b2, eps, wd, bc1, bc2, b(decoupled));
      }, () => js.adamStep(p, g, m, v, n, lr, b1, b2, eps, wd, bc1, bc2, decoupled));
    },
    cholesky(a, n) {
      const bad = run(() => {
        V('cholesky', [a, n]);
        return E.cholesky_f32(M.out(a, n * n), n, M.scratch(E.cholesky_workspace_bytes(n, 0)), gemmWs);
      }, () => { js.cholesky(a, n); return -1; });
      if (bad >= 0) throw new NotPositiveDefiniteError('cholesky', bad);
    },
    trsm(l, bb, n, m, trans) {
      run(() => {
        V('trsm', [l, bb, n, m, trans]);
        E.trsm_f32(M.in(l, n * n), M.out(bb, n * m), n, m, b(trans), M.scratch(E.cholesky_workspace_bytes(n, m)), gemmWs);
      }, () => js.trsm(l, bb, n, m, trans));
    },
    choleskyInverse(a, n) {
      run(() => {
        V('choleskyInverse', [a, n]);
        E.cholesky_inverse_f32(M.out(a, n * n), n, M.scratch(E.cholesky_workspace_bytes(n, 0)), gemmWs);
      }, () => js.choleskyInverse(a, n));
    },
    scoreTopK(items, q, nItems, d, k, exclude, outIdx, outScore) {
      return run(() => {
        V('scoreTopK', [items, q, nItems, d, k, exclude, outIdx, outScore]);
        const ws = M.scratch(8 * Math.min(k, nItems));
        return E.score_topk_f32(M.in(items, nItems * d), M.in(q, d), nItems, d, k,
          exclude === null ? 0 : M.in(exclude, nItems), exclude === null ? 0 : 1, M.out(outIdx, k), M.out(outScore, k), ws);
      }, () => js.scoreTopK(items, q, nItems, d, k, exclude, outIdx, outScore));
    },
    scoreI8(items, scale, q, qScale, nItems, d, out) {
      run(() => {
        V('scoreI8', [items, scale, q, qScale, nItems, d, out]);
        E.score_i8_f32(M.in(items, nItems * d), M.in(scale, nItems), M.in(q, d), qScale, nItems, d, M.out(out, nItems));
      }, () => js.scoreI8(items, scale, q, qScale, nItems, d, out));
    },
    boundCandidates(approx, scale, alpha, n, k, exclude, out) {
      return run(() => {
        V('boundCandidates', [approx, scale, alpha, n, k, exclude, out]);
        const ws = M.scratch(8 * Math.max(k, 1));
        return E.bound_candidates_f32(M.in(approx, n), M.in(scale, n), alpha, n, k, exclude === null ? 0 : M.in(exclude, n), exclude === null ? 0 : 1,
          M.out(out, n), ws);
      }, () => js.boundCandidates(approx, scale, alpha, n, k, exclude, out));
    },
  };
}

function jsScannerOk(rp: Int32Array, ci: Int32Array, rows: number, cols: number): boolean {
  return jsScanner.rowPtr(rp, rows) < 0 && jsScanner.range(ci, ci.length, 0, cols) < 0;
}

/** Elements of b a binary kernel reads, per BCAST_CODE. */
function bLength(mode: number, m: number, n: number): number {
  if (m === 0 || n === 0) return 0;
  return mode === 0 ? m * n : mode === 1 ? n : mode === 2 ? m : 1;
}
