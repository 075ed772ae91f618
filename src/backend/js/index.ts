/**
 * The js backend: complete, naive, and the oracle for wasm and native.
 * Every call is validated by the checker derived from KERNEL_ARGS, as on
 * the other backends, so a bad argument fails the same way everywhere.
 */
import { OwnedCsr, type Backend, type Kernels } from '../kernels.js';
import { KernelArgumentError } from '../../errors.js';
import { jsScanner, validated } from '../validate.js';
import * as dense from './dense.js';
import { unary, unaryBackward } from './unary.js';
import * as sparse from './sparse.js';
import * as spd from './cholesky.js';
import { ArrayPool } from '../pool.js';

/** A structure the js backend owns: private copies no caller holds. */
export interface CsrCopy { rowPtr: Int32Array; colIdx: Int32Array }
const jsHandles = new WeakSet<object>();
type JsCsr = OwnedCsr<CsrCopy>;

/** Copies, then re-checks the copy (the source may be shared memory another thread writes). */
function prepare(rowPtr: Int32Array, colIdx: Int32Array, rows: number, cols: number): JsCsr {
  const rp = rowPtr.slice(0, rows + 1);
  const nnz = rp[rows];
  const ci = colIdx.slice(0, Math.max(0, nnz));
  if (ci.length !== nnz || jsScanner.rowPtr(rp, rows) >= 0 || jsScanner.range(ci, nnz, 0, cols) >= 0) {
    throw new KernelArgumentError('csrPrepare: rowPtr/colIdx changed while being copied');
  }
  const h = new OwnedCsr<CsrCopy>(rows, cols, nnz, { rowPtr: rp, colIdx: ci }, () => {});
  jsHandles.add(h);
  return h;
}

/** The reference kernels, unchecked: callers inside the backend layer that already validated. */
export const jsKernelsRaw = {
  gemm: dense.gemm,
  transpose: dense.transpose,
  rowDot: dense.rowDot,
  axpy: dense.axpy,
  fill: dense.fill,
  unary,
  unaryBackward,
  binary: dense.binary,
  binaryBackward: dense.binaryBackward,
  sumAxis: dense.sumAxis,
  maxAxis: dense.maxAxis,
  softmaxRows: dense.softmaxRows,
  softmaxRowsBackward: dense.softmaxRowsBackward,
  bceLogits: dense.bceLogits,
  bceLogitsBackward: dense.bceLogitsBackward,
  adamStep: dense.adamStep,
  cholesky: spd.cholesky,
  trsm: spd.trsm,
  choleskyInverse: spd.choleskyInverse,
  gatherRows: sparse.gatherRows,
  scatterAddRows: sparse.scatterAddRows,
  spmm: sparse.spmm,
  spmmT: sparse.spmmT,
  segmentMax: sparse.segmentMax,
  segmentMaxBackward: sparse.segmentMaxBackward,
  scoreTopK: sparse.scoreTopK,
  scoreI8: sparse.scoreI8,
  boundCandidates: sparse.boundCandidates,
  csrPrepare: prepare,
  spmmCsr: (a, values, x, y, d, beta) => {
    const h = a as JsCsr;
    sparse.spmm(h.data.rowPtr, h.data.colIdx, values, x, y, h.rows, h.cols, d, beta);
  },
  spmmTCsr: (a, values, x, y, d, beta) => {
    const h = a as JsCsr;
    sparse.spmmT(h.data.rowPtr, h.data.colIdx, values, x, y, h.rows, h.cols, d, beta);
  },
  segmentMaxCsr: (a, x, y, arg, d) => {
    const h = a as JsCsr;
    sparse.segmentMax(h.data.rowPtr, h.data.colIdx, x, y, arg, h.rows, h.cols, d);
  },
} satisfies Kernels;

/** Every call checked by the validator derived from KERNEL_ARGS, index contents included. */
export const jsKernels: Kernels = validated(jsKernelsRaw, { scanner: jsScanner, owns: (h) => jsHandles.has(h as object) });

const pool = new ArrayPool();

export const jsBackend: Backend = {
  name: 'js',
  kernels: jsKernels,
  allocF32: (n) => pool.allocF32(n),
  allocI32: (n) => pool.allocI32(n),
  free: (a) => pool.free(a),
  idleBytes: () => pool.idleBytes,
  releaseIdle: () => pool.clear(),
  info: () => ({ name: 'js', available: true, simd: 'none', isa: 'js', threads: 1 }),
  liveAllocations: () => 0,
};
