/**
 * The js backend: complete, naive, and the oracle for wasm and native.
 * Every call is validated by the checker derived from KERNEL_ARGS, as on
 * the other backends, so a bad argument fails the same way everywhere.
 */
import type { Backend, Kernels } from '../kernels.js';
import { jsScanner, validated } from '../validate.js';
import * as dense from './dense.js';
import { unary, unaryBackward } from './unary.js';
import * as sparse from './sparse.js';
import * as spd from './cholesky.js';
import { ArrayPool } from '../pool.js';

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
} satisfies Kernels;

/** Every call checked by the validator derived from KERNEL_ARGS, index contents included. */
export const jsKernels: Kernels = validated(jsKernelsRaw, { scanner: jsScanner });

const pool = new ArrayPool();

export const jsBackend: Backend = {
  name: 'js',
  kernels: jsKernels,
  allocF32: (n) => pool.allocF32(n),
  allocI32: (n) => pool.allocI32(n),
  free: (a) => pool.free(a),
  info: () => ({ name: 'js', available: true, simd: 'none', isa: 'js', threads: 1 }),
  liveAllocations: () => 0,
};
