/**
 * The one argument validator, derived from KERNEL_ARGS (src/backend/kernels.ts).
 * Every backend runs it before a kernel touches memory: the js reference and
 * the wasm glue in full, the native glue for everything but index contents,
 * which the addon scans itself where it reads them (memory safety), with the
 * same wording. Every failure is a KernelArgumentError naming the kernel and
 * the argument. Index scans go through an IndexScanner so wasm can run them
 * in SIMD on exactly the bytes its kernel will read.
 */
import { KernelArgumentError } from '../errors.js';
import {
  BCAST_CODE, BINARY_CODE, KERNEL_ARGS, UNARY_CODE,
  type ArgDecl, type CsrHandle, type Kernels, type SizeExpr,
} from './kernels.js';

function fail(kernel: string, msg: string): never {
  throw new KernelArgumentError(`${kernel}: ${msg}`);
}

/** First position whose entry is bad, or -1. */
export interface IndexScanner {
  /** rowPtr[0] != 0 gives 0; else the first i with rowPtr[i] < rowPtr[i-1]. */
  rowPtr(rowPtr: Int32Array, rows: number): number;
  /** First i < n with idx[i] outside [lo, hi). */
  range(idx: Int32Array, n: number, lo: number, hi: number): number;
}

export const jsScanner: IndexScanner = {
  rowPtr(rp, rows) {
    if (rp[0] !== 0) return 0;
    for (let i = 1; i <= rows; i++) if (rp[i] < rp[i - 1]) return i;
    return -1;
  },
  range(idx, n, lo, hi) {
    for (let i = 0; i < n; i++) { const v = idx[i]; if (v < lo || v >= hi) return i; }
    return -1;
  },
};

type Sizes = Record<string, number>;

/** Compiles 'm*k+1'-style expressions (names, integers, *, +, unary -) once. */
function compile(e: SizeExpr): (s: Readonly<Sizes>) => number {
  if (typeof e === 'function') return e;
  const terms = e.split('+').map((t) => t.split('*').map((f) => f.trim()));
  for (const t of terms) for (const f of t) if (!/^(-?\d+|[A-Za-z_]\w*)$/.test(f)) throw new Error(`KERNEL_ARGS: bad size expression '${e}'`);
  return (s) => {
    let sum = 0;
    for (const t of terms) {
      let p = 1;
      for (const f of t) p *= /^-?\d/.test(f) ? Number(f) : s[f];
      sum += p;
    }
    return sum;
  };
}

interface Compiled {
  decl: ArgDecl; index: number;
  len?: (s: Readonly<Sizes>) => number;
  lo?: (s: Readonly<Sizes>) => number; hi?: (s: Readonly<Sizes>) => number;
}
interface Plan { kernel: string; scalars: Compiled[]; arrays: Compiled[] }

const ARRAY_KINDS = new Set(['f32', 'i32', 'u8', 'i8', 'i16']);
const TYPED = { f32: Float32Array, i32: Int32Array, u8: Uint8Array, i8: Int8Array, i16: Int16Array } as const;
const TYPE_NAME = { f32: 'a Float32Array', i32: 'an Int32Array', u8: 'a Uint8Array', i8: 'an Int8Array', i16: 'an Int16Array' } as const;

const plans = new Map<string, Plan>();
function plan(kernel: keyof Kernels): Plan {
  let p = plans.get(kernel);
  if (p) return p;
  const decls = KERNEL_ARGS[kernel];
  const scalars: Compiled[] = [], arrays: Compiled[] = [];
  decls.forEach((decl, index) => {
    const c: Compiled = { decl, index };
    if (decl.len !== undefined) c.len = compile(decl.len);
    if (decl.range) { c.lo = compile(decl.range[0]); c.hi = compile(decl.range[1]); }
    (ARRAY_KINDS.has(decl.kind) ? arrays : scalars).push(c);
  });
  // the rowPtr comes first: it defines nnz for the other arrays
  arrays.sort((a, b) => Number(b.decl.csr === 'rowPtr') - Number(a.decl.csr === 'rowPtr'));
  p = { kernel, scalars, arrays };
  plans.set(kernel, p);
  return p;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (Array.isArray(v)) return 'Array';
  if (typeof v === 'object') return v.constructor?.name ?? 'object';
  return typeof v === 'number' ? `number ${v}` : typeof v;
}

function code(kernel: string, what: string, table: Record<string, number>, key: unknown): number {
  const c = typeof key === 'string' && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
  if (c === undefined) fail(kernel, `unknown ${what} '${String(key)}' (expected ${Object.keys(table).join(', ')})`);
  return c;
}

export interface ValidateOptions {
  /** Scanner for index contents; null skips them (the native addon scans where it reads). */
  scanner: IndexScanner | null;
  /** True for CsrHandles this backend's csrPrepare made. */
  owns: (h: unknown) => boolean;
}

/**
 * Checks one call's arguments against KERNEL_ARGS[kernel] and returns the
 * sizes it derived (the size arguments, enum codes, and nnz for a CSR).
 */
export function validateArgs(kernel: keyof Kernels, args: ArrayLike<unknown>, opts: ValidateOptions): Readonly<Sizes> {
  const p = plan(kernel);
  const s: Sizes = {};
  for (const { decl, index } of p.scalars) {
    const v = args[index];
    switch (decl.kind) {
      case 'size':
        if (typeof v !== 'number') fail(kernel, `${decl.name} must be a number (got ${describe(v)})`);
        if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) fail(kernel, `${decl.name} must be a non-negative int32 (got ${v})`);
        s[decl.name] = v;
        break;
      case 'number':
        if (typeof v !== 'number') fail(kernel, `${decl.name} must be a number (got ${describe(v)})`);
        break;
      case 'flag':
        if (typeof v !== 'boolean') fail(kernel, `${decl.name} must be a boolean (got ${describe(v)})`);
        break;
      case 'unaryOp': s[decl.name] = code(kernel, 'op', UNARY_CODE, v); break;
      case 'binaryOp': s[decl.name] = code(kernel, 'op', BINARY_CODE, v); break;
      case 'bcast': s[decl.name] = code(kernel, 'mode', BCAST_CODE, v); break;
      case 'axis':
        if (v !== 0 && v !== 1) fail(kernel, `${decl.name} must be 0 or 1 (got ${String(v)})`);
        s[decl.name] = v;
        break;
      case 'csr': {
        if (!opts.owns(v)) fail(kernel, `${decl.name} must be a CSR handle from this backend's csrPrepare (got ${describe(v)})`);
        const h = v as CsrHandle;
        if (h.disposed) fail(kernel, `${decl.name} was disposed`);
        s.rows = h.rows; s.cols = h.cols; s.nnz = h.nnz;
        break;
      }
      default: break;
    }
  }
  for (const c of p.arrays) {
    const { decl } = c, v = args[c.index];
    if (v === null || v === undefined) {
      if (decl.nullable) continue;
      fail(kernel, `${decl.name} is null`);
    }
    const kind = decl.kind as keyof typeof TYPED;
    if (!(v instanceof TYPED[kind])) fail(kernel, `${decl.name} must be ${TYPE_NAME[kind]}${decl.nullable ? ' or null' : ''} (got ${describe(v)})`);
    const a = v as Float32Array | Int32Array | Uint8Array | Int8Array | Int16Array;
    if (decl.csr === 'rowPtr') {
      const rows = s.rows;
      if (a.length < rows + 1) fail(kernel, `rowPtr is too short (length ${a.length}, need ${rows + 1})`);
      const rp = a as Int32Array;
      const bad = (opts.scanner ?? jsScanner).rowPtr(rp, rows);
      if (bad === 0) fail(kernel, `rowPtr[0] must be 0 (got ${rp[0]})`);
      if (bad > 0) fail(kernel, `rowPtr is not monotone at row ${bad - 1} (${rp[bad - 1]} > ${rp[bad]})`);
      s.nnz = rp[rows];
      continue;
    }
    const need = c.len!(s);
    if (a.length < need) fail(kernel, `${decl.name} is too short (length ${a.length}, need ${need})`);
    if (c.lo && opts.scanner) {
      const lo = c.lo(s), hi = c.hi!(s);
      const bad = opts.scanner.range(a as Int32Array, need, lo, hi);
      if (bad >= 0) fail(kernel, `${decl.name}[${bad}] = ${a[bad]} is out of range [${lo}, ${hi})`);
    }
  }
  return s;
}

/** Wraps kernels so every call is validated first (the js reference, and native with scanner null). */
export function validated(impl: Kernels, opts: ValidateOptions): Kernels {
  const out = {} as Record<string, (...a: unknown[]) => unknown>;
  for (const name of Object.keys(KERNEL_ARGS) as (keyof Kernels)[]) {
    const fn = impl[name] as (...a: unknown[]) => unknown;
    out[name] = (...args: unknown[]) => {
      validateArgs(name, args, opts);
      return fn(...args);
    };
  }
  return out as unknown as Kernels;
}

// ------------------------------------------------ checks for other layers

export function checkSize(kernel: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) fail(kernel, `${name} must be a non-negative int32 (got ${v})`);
}

export function checkLen(kernel: string, name: string, a: ArrayLike<number> | null, need: number): void {
  if (a === null) fail(kernel, `${name} is null`);
  if (a.length < need) fail(kernel, `${name} is too short (length ${a.length}, need ${need})`);
}

/** A whole CSR (CsrMatrix's constructor): rowPtr monotone from 0 to nnz, colIdx within [0, cols). Returns nnz. */
export function checkCsr(kernel: string, rowPtr: Int32Array, colIdx: Int32Array, values: Float32Array | null,
  rows: number, cols: number): number {
  checkSize(kernel, 'rows', rows);
  checkSize(kernel, 'cols', cols);
  checkLen(kernel, 'rowPtr', rowPtr, rows + 1);
  const bad = jsScanner.rowPtr(rowPtr, rows);
  if (bad === 0) fail(kernel, `rowPtr[0] must be 0 (got ${rowPtr[0]})`);
  if (bad > 0) fail(kernel, `rowPtr is not monotone at row ${bad - 1} (${rowPtr[bad - 1]} > ${rowPtr[bad]})`);
  const nnz = rowPtr[rows];
  checkLen(kernel, 'colIdx', colIdx, nnz);
  if (values !== null) checkLen(kernel, 'values', values, nnz);
  const badCol = jsScanner.range(colIdx, nnz, 0, cols);
  if (badCol >= 0) fail(kernel, `colIdx[${badCol}] = ${colIdx[badCol]} is out of range [0, ${cols})`);
  return nnz;
}
