/**
 * The wasm backend's Kernels: validate, marshal, call. Every size and length
 * is checked here (through src/backend/validate.ts, whose messages name the
 * argument) before a kernel runs, so the AssemblyScript side can trust its
 * inputs. Index scans (CSR structure, gather/scatter indices, argmax) run in
 * wasm for speed and fall back to validate.ts only to word the error.
 * If scratch space for a foreign array cannot be found, the call runs on the
 * js reference instead: slower, never wrong.
 */
import { KernelArgumentError, NotPositiveDefiniteError } from '../../errors.js';
import {
  BCAST_CODE, BINARY_CODE, UNARY_CODE,
  type BinaryOp, type Broadcast, type Kernels, type UnaryOp,
} from '../kernels.js';
import { checkCsr, checkIndices, checkLen, checkSize } from '../validate.js';
import { jsKernels } from '../js/index.js';
import type { WasmExports } from './loader.js';
import { Marshal, OUT_OF_MEMORY } from './marshal.js';

function sizes(kernel: string, named: Record<string, number>): void {
  for (const name in named) checkSize(kernel, name, named[name]);
}

function code<T extends Record<string, number>>(kernel: string, what: string, table: T, key: string): number {
  const c = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
  if (c === undefined) throw new KernelArgumentError(`${kernel}: unknown ${what} '${key}' (expected ${Object.keys(table).join(', ')})`);
  return c;
}

/** The wasm scan found a bad index: let validate.ts word the error (it throws). */
function invalid(kernel: string, explain: () => void): never {
  explain();
  throw new KernelArgumentError(`${kernel}: invalid index data (changed during the call?)`);
}

/** Elements of b a binary kernel reads, per broadcast mode. */
function bLength(mode: Broadcast, m: number, n: number): number {
  if (m === 0 || n === 0) return 0;
  return mode === 'full' ? m * n : mode === 'row' ? n : mode === 'col' ? m : 1;
}

export function makeKernels(E: WasmExports, M: Marshal, gemmWs: number): Kernels {
  /** Runs fn with marshalling; on scratch exhaustion, runs the js kernel instead. */
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

  /** Validates a CSR (rowPtr monotone from 0, colIdx in [0, cols)) and returns its pointers. */
  function csr(kernel: string, rowPtr: Int32Array, colIdx: Int32Array, values: Float32Array | null,
    rows: number, cols: number): [number, number, number] {
    checkSize(kernel, 'rows', rows);
    checkSize(kernel, 'cols', cols);
    checkLen(kernel, 'rowPtr', rowPtr, rows + 1);
    const pr = M.in(rowPtr, rows + 1);
    if (E.check_rowptr_i32(pr, rows) >= 0) invalid(kernel, () => checkCsr(kernel, rowPtr, colIdx, values, rows, cols));
    const nnz = rowPtr[rows];
    checkLen(kernel, 'colIdx', colIdx, nnz);
    if (values !== null) checkLen(kernel, 'values', values, nnz);
    const pc = M.in(colIdx, nnz);
    if (E.check_range_i32(pc, nnz, 0, cols) >= 0) invalid(kernel, () => checkCsr(kernel, rowPtr, colIdx, values, rows, cols));
    return [pr, pc, values === null ? 0 : M.in(values, nnz)];
  }

  function indices(kernel: string, name: string, idx: Int32Array, n: number, bound: number): number {
    checkLen(kernel, name, idx, n);
    const p = M.in(idx, n);
    if (E.check_range_i32(p, n, 0, bound) >= 0) invalid(kernel, () => checkIndices(kernel, name, idx, n, bound));
    return p;
  }

  const js = jsKernels;
  return {
    gemm(a, b, c, m, n, k, ta, tb, alpha, beta) {
      sizes('gemm', { m, n, k });
      checkLen('gemm', 'a', a, m * k);
      checkLen('gemm', 'b', b, k * n);
      checkLen('gemm', 'c', c, m * n);
      run(() => E.gemm_f32(M.in(a, m * k), M.in(b, k * n), M.out(c, m * n), m, n, k, ta ? 1 : 0, tb ? 1 : 0,
        alpha, beta, gemmWs), () => js.gemm(a, b, c, m, n, k, ta, tb, alpha, beta));
    },
    transpose(x, y, m, n) {
      sizes('transpose', { m, n });
      checkLen('transpose', 'x', x, m * n);
      checkLen('transpose', 'y', y, m * n);
      run(() => E.transpose_f32(M.in(x, m * n), M.out(y, m * n), m, n), () => js.transpose(x, y, m, n));
    },
    rowDot(a, b, y, m, n) {
      sizes('rowDot', { m, n });
      checkLen('rowDot', 'a', a, m * n);
      checkLen('rowDot', 'b', b, m * n);
      checkLen('rowDot', 'y', y, m);
      run(() => E.row_dot_f32(M.in(a, m * n), M.in(b, m * n), M.out(y, m), m, n), () => js.rowDot(a, b, y, m, n));
    },
    axpy(alpha, x, y, n) {
      checkSize('axpy', 'n', n);
      checkLen('axpy', 'x', x, n);
      checkLen('axpy', 'y', y, n);
      run(() => E.axpy_f32(alpha, M.in(x, n), M.out(y, n), n), () => js.axpy(alpha, x, y, n));
    },
    fill(y, value, n) {
      checkSize('fill', 'n', n);
      checkLen('fill', 'y', y, n);
      run(() => E.fill_f32(M.out(y, n), value, n), () => js.fill(y, value, n));
    },
    unary(op: UnaryOp, x, y, n, p, q) {
      const c = code('unary', 'op', UNARY_CODE, op);
      checkSize('unary', 'n', n);
      checkLen('unary', 'x', x, n);
      checkLen('unary', 'y', y, n);
      run(() => E.unary_f32(c, M.in(x, n), M.out(y, n), n, p, q), () => js.unary(op, x, y, n, p, q));
    },
    unaryBackward(op: UnaryOp, x, y, dy, dx, n, p, q) {
      const c = code('unaryBackward', 'op', UNARY_CODE, op);
      checkSize('unaryBackward', 'n', n);
      checkLen('unaryBackward', 'x', x, n);
      checkLen('unaryBackward', 'y', y, n);
      checkLen('unaryBackward', 'dy', dy, n);
      checkLen('unaryBackward', 'dx', dx, n);
      run(() => E.unary_backward_f32(c, M.in(x, n), M.in(y, n), M.in(dy, n), M.out(dx, n), n, p, q),
        () => js.unaryBackward(op, x, y, dy, dx, n, p, q));
    },
    binary(op: BinaryOp, a, b, y, m, n, mode: Broadcast) {
      const c = code('binary', 'op', BINARY_CODE, op);
      const md = code('binary', 'mode', BCAST_CODE, mode);
      sizes('binary', { m, n });
      const nb = bLength(mode, m, n);
      checkLen('binary', 'a', a, m * n);
      checkLen('binary', 'b', b, nb);
      checkLen('binary', 'y', y, m * n);
      run(() => E.binary_f32(c, M.in(a, m * n), M.in(b, nb), M.out(y, m * n), m, n, md),
        () => js.binary(op, a, b, y, m, n, mode));
    },
    binaryBackward(op: BinaryOp, a, b, dy, da, db, m, n, mode: Broadcast) {
      const c = code('binaryBackward', 'op', BINARY_CODE, op);
      const md = code('binaryBackward', 'mode', BCAST_CODE, mode);
      sizes('binaryBackward', { m, n });
      const nb = bLength(mode, m, n);
      checkLen('binaryBackward', 'a', a, m * n);
      checkLen('binaryBackward', 'b', b, nb);
      checkLen('binaryBackward', 'dy', dy, m * n);
      if (da !== null) checkLen('binaryBackward', 'da', da, m * n);
      if (db !== null) checkLen('binaryBackward', 'db', db, nb);
      run(() => E.binary_backward_f32(c, M.in(a, m * n), M.in(b, nb), M.in(dy, m * n),
        da === null ? 0 : M.out(da, m * n), db === null ? 0 : M.out(db, nb), m, n, md, da === null ? 0 : 1,
        db === null ? 0 : 1), () => js.binaryBackward(op, a, b, dy, da, db, m, n, mode));
    },
    sumAxis(x, y, m, n, axis) {
      sizes('sumAxis', { m, n });
      if (axis !== 0 && axis !== 1) throw new KernelArgumentError(`sumAxis: axis must be 0 or 1 (got ${axis})`);
      const ny = axis === 0 ? n : m;
      checkLen('sumAxis', 'x', x, m * n);
      checkLen('sumAxis', 'y', y, ny);
      run(() => E.sum_axis_f32(M.in(x, m * n), M.out(y, ny), m, n, axis), () => js.sumAxis(x, y, m, n, axis));
    },
    maxAxis(x, y, arg, m, n, axis) {
      sizes('maxAxis', { m, n });
      if (axis !== 0 && axis !== 1) throw new KernelArgumentError(`maxAxis: axis must be 0 or 1 (got ${axis})`);
      const ny = axis === 0 ? n : m;
      checkLen('maxAxis', 'x', x, m * n);
      checkLen('maxAxis', 'y', y, ny);
      checkLen('maxAxis', 'arg', arg, ny);
      run(() => E.max_axis_f32(M.in(x, m * n), M.out(y, ny), M.out(arg, ny), m, n, axis),
        () => js.maxAxis(x, y, arg, m, n, axis));
    },
    softmaxRows(x, y, m, n, log) {
      sizes('softmaxRows', { m, n });
      checkLen('softmaxRows', 'x', x, m * n);
      checkLen('softmaxRows', 'y', y, m * n);
      run(() => E.softmax_rows_f32(M.in(x, m * n), M.out(y, m * n), m, n, log ? 1 : 0),
        () => js.softmaxRows(x, y, m, n, log));
    },
    softmaxRowsBackward(y, dy, dx, m, n, log) {
      sizes('softmaxRowsBackward', { m, n });
      checkLen('softmaxRowsBackward', 'y', y, m * n);
      checkLen('softmaxRowsBackward', 'dy', dy, m * n);
      checkLen('softmaxRowsBackward', 'dx', dx, m * n);
      run(() => E.softmax_rows_backward_f32(M.in(y, m * n), M.in(dy, m * n), M.out(dx, m * n), m, n, log ? 1 : 0),
        () => js.softmaxRowsBackward(y, dy, dx, m, n, log));
    },
    bceLogits(z, t, out, n) {
      checkSize('bceLogits', 'n', n);
      checkLen('bceLogits', 'z', z, n);
      checkLen('bceLogits', 't', t, n);
      checkLen('bceLogits', 'out', out, n);
      run(() => E.bce_logits_f32(M.in(z, n), M.in(t, n), M.out(out, n), n), () => js.bceLogits(z, t, out, n));
    },
    bceLogitsBackward(z, t, dy, dz, n) {
      checkSize('bceLogitsBackward', 'n', n);
      checkLen('bceLogitsBackward', 'z', z, n);
      checkLen('bceLogitsBackward', 't', t, n);
      checkLen('bceLogitsBackward', 'dy', dy, n);
      checkLen('bceLogitsBackward', 'dz', dz, n);
      run(() => E.bce_logits_backward_f32(M.in(z, n), M.in(t, n), M.in(dy, n), M.out(dz, n), n),
        () => js.bceLogitsBackward(z, t, dy, dz, n));
    },
    gatherRows(table, idx, out, tableRows, nIdx, d) {
      sizes('gatherRows', { tableRows, nIdx, d });
      checkLen('gatherRows', 'table', table, tableRows * d);
      checkLen('gatherRows', 'out', out, nIdx * d);
      run(() => {
        const pi = indices('gatherRows', 'idx', idx, nIdx, tableRows);
        E.gather_rows_f32(M.in(table, tableRows * d), pi, M.out(out, nIdx * d), tableRows, nIdx, d);
      }, () => js.gatherRows(table, idx, out, tableRows, nIdx, d));
    },
    scatterAddRows(src, idx, table, tableRows, nIdx, d) {
      sizes('scatterAddRows', { tableRows, nIdx, d });
      checkLen('scatterAddRows', 'src', src, nIdx * d);
      checkLen('scatterAddRows', 'table', table, tableRows * d);
      run(() => {
        const pi = indices('scatterAddRows', 'idx', idx, nIdx, tableRows);
        E.scatter_add_rows_f32(M.in(src, nIdx * d), pi, M.out(table, tableRows * d), tableRows, nIdx, d);
      }, () => js.scatterAddRows(src, idx, table, tableRows, nIdx, d));
    },
    spmm(rowPtr, colIdx, values, x, y, rows, cols, d, beta) {
      checkSize('spmm', 'd', d);
      run(() => {
        const [pr, pc, pv] = csr('spmm', rowPtr, colIdx, values, rows, cols);
        checkLen('spmm', 'x', x, cols * d);
        checkLen('spmm', 'y', y, rows * d);
        E.spmm_csr_f32(pr, pc, pv, M.in(x, cols * d), M.out(y, rows * d), rows, cols, d, beta);
      }, () => js.spmm(rowPtr, colIdx, values, x, y, rows, cols, d, beta));
    },
    spmmT(rowPtr, colIdx, values, x, y, rows, cols, d, beta) {
      checkSize('spmmT', 'd', d);
      run(() => {
        const [pr, pc, pv] = csr('spmmT', rowPtr, colIdx, values, rows, cols);
        checkLen('spmmT', 'x', x, rows * d);
        checkLen('spmmT', 'y', y, cols * d);
        E.spmm_csr_t_f32(pr, pc, pv, M.in(x, rows * d), M.out(y, cols * d), rows, cols, d, beta);
      }, () => js.spmmT(rowPtr, colIdx, values, x, y, rows, cols, d, beta));
    },
    segmentMax(rowPtr, colIdx, x, y, arg, rows, cols, d) {
      checkSize('segmentMax', 'd', d);
      run(() => {
        const [pr, pc] = csr('segmentMax', rowPtr, colIdx, null, rows, cols);
        checkLen('segmentMax', 'x', x, cols * d);
        checkLen('segmentMax', 'y', y, rows * d);
        checkLen('segmentMax', 'arg', arg, rows * d);
        E.segment_max_f32(pr, pc, M.in(x, cols * d), M.out(y, rows * d), M.out(arg, rows * d), rows, cols, d);
      }, () => js.segmentMax(rowPtr, colIdx, x, y, arg, rows, cols, d));
    },
    segmentMaxBackward(arg, dy, dx, rows, cols, d) {
      sizes('segmentMaxBackward', { rows, cols, d });
      const n = rows * d;
      checkLen('segmentMaxBackward', 'arg', arg, n);
      checkLen('segmentMaxBackward', 'dy', dy, n);
      checkLen('segmentMaxBackward', 'dx', dx, cols * d);
      run(() => {
        const pa = M.in(arg, n);
        const bad = E.check_range_i32(pa, n, -1, cols);
        if (bad >= 0) {
          throw new KernelArgumentError(`segmentMaxBackward: arg[${bad}] = ${arg[bad]} is out of range [-1, ${cols})`);
        }
        E.segment_max_backward_f32(pa, M.in(dy, n), M.out(dx, cols * d), rows, cols, d);
      }, () => js.segmentMaxBackward(arg, dy, dx, rows, cols, d));
    },
    adamStep(p, g, m, v, n, lr, b1, b2, eps, wd, bc1, bc2, decoupled) {
      checkSize('adamStep', 'n', n);
      checkLen('adamStep', 'p', p, n);
      checkLen('adamStep', 'g', g, n);
      checkLen('adamStep', 'm', m, n);
      checkLen('adamStep', 'v', v, n);
      run(() => E.adam_step_f32(M.out(p, n), M.in(g, n), M.out(m, n), M.out(v, n), n, lr, b1, b2, eps, wd, bc1, bc2,
        decoupled ? 1 : 0), () => js.adamStep(p, g, m, v, n, lr, b1, b2, eps, wd, bc1, bc2, decoupled));
    },
    cholesky(a, n) {
      checkSize('cholesky', 'n', n);
      checkLen('cholesky', 'a', a, n * n);
      const bad = run(() => E.cholesky_f32(M.out(a, n * n), n, M.scratch(E.cholesky_workspace_bytes(n, 0)), gemmWs),
        () => { js.cholesky(a, n); return -1; });
      if (bad >= 0) throw new NotPositiveDefiniteError('cholesky', bad);
    },
    trsm(l, b, n, m, trans) {
      sizes('trsm', { n, m });
      checkLen('trsm', 'l', l, n * n);
      checkLen('trsm', 'b', b, n * m);
      run(() => E.trsm_f32(M.in(l, n * n), M.out(b, n * m), n, m, trans ? 1 : 0,
        M.scratch(E.cholesky_workspace_bytes(n, m)), gemmWs), () => js.trsm(l, b, n, m, trans));
    },
    choleskyInverse(a, n) {
      checkSize('choleskyInverse', 'n', n);
      checkLen('choleskyInverse', 'a', a, n * n);
      run(() => E.cholesky_inverse_f32(M.out(a, n * n), n, M.scratch(E.cholesky_workspace_bytes(n, 0)), gemmWs),
        () => js.choleskyInverse(a, n));
    },
    scoreTopK(items, q, nItems, d, k, exclude, outIdx, outScore) {
      sizes('scoreTopK', { nItems, d, k });
      checkLen('scoreTopK', 'items', items, nItems * d);
      checkLen('scoreTopK', 'q', q, d);
      checkLen('scoreTopK', 'outIdx', outIdx, k);
      checkLen('scoreTopK', 'outScore', outScore, k);
      if (exclude !== null) checkLen('scoreTopK', 'exclude', exclude, nItems);
      return run(() => {
        const ws = M.scratch(8 * Math.min(k, nItems));
        return E.score_topk_f32(M.in(items, nItems * d), M.in(q, d), nItems, d, k,
          exclude === null ? 0 : M.in(exclude, nItems), exclude === null ? 0 : 1, M.out(outIdx, k), M.out(outScore, k), ws);
      }, () => js.scoreTopK(items, q, nItems, d, k, exclude, outIdx, outScore));
    },
  };
}
