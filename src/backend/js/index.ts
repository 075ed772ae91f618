/**
 * The js backend: complete, naive, and the oracle for wasm and native.
 * Index-carrying kernels validate their inputs like the other backends do,
 * so a bad index fails the same way everywhere.
 */
import type { Backend, Kernels } from '../kernels.js';
import { checkCsr, checkIndices, checkLen, checkSize } from '../validate.js';
import * as dense from './dense.js';
import { unary, unaryBackward } from './unary.js';
import * as sparse from './sparse.js';
import * as spd from './cholesky.js';
import { ArrayPool } from '../pool.js';

export const jsKernels = {
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
  cholesky(a, n) {
    checkSize('cholesky', 'n', n);
    checkLen('cholesky', 'a', a, n * n);
    spd.cholesky(a, n);
  },
  trsm(l, b, n, m, trans) {
    checkSize('trsm', 'n', n);
    checkSize('trsm', 'm', m);
    checkLen('trsm', 'l', l, n * n);
    checkLen('trsm', 'b', b, n * m);
    spd.trsm(l, b, n, m, trans);
  },
  choleskyInverse(a, n) {
    checkSize('choleskyInverse', 'n', n);
    checkLen('choleskyInverse', 'a', a, n * n);
    spd.choleskyInverse(a, n);
  },
  gatherRows(table, idx, out, tableRows, nIdx, d) {
    checkIndices('gatherRows', 'idx', idx, nIdx, tableRows);
    checkLen('gatherRows', 'out', out, nIdx * d);
    checkLen('gatherRows', 'table', table, tableRows * d);
    sparse.gatherRows(table, idx, out, tableRows, nIdx, d);
  },
  scatterAddRows(src, idx, table, tableRows, nIdx, d) {
    checkIndices('scatterAddRows', 'idx', idx, nIdx, tableRows);
    checkLen('scatterAddRows', 'src', src, nIdx * d);
    checkLen('scatterAddRows', 'table', table, tableRows * d);
    sparse.scatterAddRows(src, idx, table, tableRows, nIdx, d);
  },
  spmm(rowPtr, colIdx, values, x, y, rows, cols, d, beta) {
    checkCsr('spmm', rowPtr, colIdx, values, rows, cols);
    checkLen('spmm', 'x', x, cols * d);
    checkLen('spmm', 'y', y, rows * d);
    sparse.spmm(rowPtr, colIdx, values, x, y, rows, cols, d, beta);
  },
  spmmT(rowPtr, colIdx, values, x, y, rows, cols, d, beta) {
    checkCsr('spmmT', rowPtr, colIdx, values, rows, cols);
    checkLen('spmmT', 'x', x, rows * d);
    checkLen('spmmT', 'y', y, cols * d);
    sparse.spmmT(rowPtr, colIdx, values, x, y, rows, cols, d, beta);
  },
  segmentMax(rowPtr, colIdx, x, y, arg, rows, cols, d) {
    checkCsr('segmentMax', rowPtr, colIdx, null, rows, cols);
    checkLen('segmentMax', 'x', x, cols * d);
    checkLen('segmentMax', 'y', y, rows * d);
    checkLen('segmentMax', 'arg', arg, rows * d);
    sparse.segmentMax(rowPtr, colIdx, x, y, arg, rows, cols, d);
  },
  segmentMaxBackward(arg, dy, dx, rows, cols, d) {
    checkLen('segmentMaxBackward', 'arg', arg, rows * d);
    for (let i = 0; i < rows * d; i++) {
      if (arg[i] < -1 || arg[i] >= cols) throw new RangeError(`segmentMaxBackward: arg[${i}] = ${arg[i]} is out of range [-1, ${cols})`);
    }
    checkLen('segmentMaxBackward', 'dx', dx, cols * d);
    sparse.segmentMaxBackward(arg, dy, dx, rows, cols, d);
  },
  scoreTopK(items, q, nItems, d, k, exclude, outIdx, outScore) {
    checkLen('scoreTopK', 'items', items, nItems * d);
    checkLen('scoreTopK', 'q', q, d);
    checkLen('scoreTopK', 'outIdx', outIdx, k);
    checkLen('scoreTopK', 'outScore', outScore, k);
    if (exclude) checkLen('scoreTopK', 'exclude', exclude, nItems);
    return sparse.scoreTopK(items, q, nItems, d, k, exclude, outIdx, outScore);
  },
} satisfies Kernels;

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
