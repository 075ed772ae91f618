/**
 * Boundary checks for kernels whose indices or lengths come from JS. The wasm
 * glue and the js reference run these before a kernel touches memory; the
 * native addon runs the same checks in C++. Each failure names the argument.
 */
import { KernelArgumentError } from '../errors.js';

function fail(kernel: string, msg: string): never {
  throw new KernelArgumentError(`${kernel}: ${msg}`);
}

export function checkSize(kernel: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) fail(kernel, `${name} must be a non-negative int32 (got ${v})`);
}

export function checkLen(kernel: string, name: string, a: ArrayLike<number> | null, need: number): void {
  if (a === null) fail(kernel, `${name} is null`);
  if (a.length < need) fail(kernel, `${name} is too short (length ${a.length}, need ${need})`);
}

/** rowPtr monotone from 0 to nnz, colIdx within [0, cols), values and colIdx at least nnz long. */
export function checkCsr(kernel: string, rowPtr: Int32Array, colIdx: Int32Array, values: Float32Array | null,
  rows: number, cols: number): number {
  checkSize(kernel, 'rows', rows);
  checkSize(kernel, 'cols', cols);
  checkLen(kernel, 'rowPtr', rowPtr, rows + 1);
  if (rowPtr[0] !== 0) fail(kernel, `rowPtr[0] must be 0 (got ${rowPtr[0]})`);
  for (let i = 0; i < rows; i++) {
    if (rowPtr[i + 1] < rowPtr[i]) fail(kernel, `rowPtr is not monotone at row ${i} (${rowPtr[i]} > ${rowPtr[i + 1]})`);
  }
  const nnz = rowPtr[rows];
  checkLen(kernel, 'colIdx', colIdx, nnz);
  if (values !== null) checkLen(kernel, 'values', values, nnz);
  for (let j = 0; j < nnz; j++) {
    const c = colIdx[j];
    if (c < 0 || c >= cols) fail(kernel, `colIdx[${j}] = ${c} is out of range [0, ${cols})`);
  }
  return nnz;
}

export function checkIndices(kernel: string, name: string, idx: Int32Array, n: number, bound: number): void {
  checkLen(kernel, name, idx, n);
  for (let i = 0; i < n; i++) {
    const v = idx[i];
    if (v < 0 || v >= bound) fail(kernel, `${name}[${i}] = ${v} is out of range [0, ${bound})`);
  }
}
