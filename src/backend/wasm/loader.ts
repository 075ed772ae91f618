/**
 * Loads build/kernels.wasm synchronously: checks that this runtime validates
 * SIMD and shared memories, creates the shared memory JS owns, and
 * instantiates the module against it. Every failure throws an Error whose
 * message is the reason `dpgcn info` shows.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

/** The raw exports of kernels/index.ts (pointers are byte offsets into memory). */
export interface WasmExports {
  heap_base(): number;
  gemm_workspace_bytes(): number;
  unary_op_count(): number;
  binary_op_count(): number;
  check_rowptr_i32(rowPtr: number, rows: number): number;
  check_range_i32(idx: number, n: number, lo: number, hi: number): number;
  gemm_f32(a: number, b: number, c: number, m: number, n: number, k: number, ta: number, tb: number,
    alpha: number, beta: number, ws: number): void;
  transpose_f32(x: number, y: number, m: number, n: number): void;
  row_dot_f32(a: number, b: number, y: number, m: number, n: number): void;
  axpy_f32(alpha: number, x: number, y: number, n: number): void;
  fill_f32(y: number, value: number, n: number): void;
  unary_f32(op: number, x: number, y: number, n: number, p: number, q: number): void;
  unary_backward_f32(op: number, x: number, y: number, dy: number, dx: number, n: number, p: number, q: number): void;
  binary_f32(op: number, a: number, b: number, y: number, m: number, n: number, mode: number): void;
  binary_backward_f32(op: number, a: number, b: number, dy: number, da: number, db: number, m: number, n: number,
    mode: number, hasDa: number, hasDb: number): void;
  sum_axis_f32(x: number, y: number, m: number, n: number, axis: number): void;
  max_axis_f32(x: number, y: number, arg: number, m: number, n: number, axis: number): void;
  softmax_rows_f32(x: number, y: number, m: number, n: number, log: number): void;
  softmax_rows_backward_f32(y: number, dy: number, dx: number, m: number, n: number, log: number): void;
  bce_logits_f32(z: number, t: number, out: number, n: number): void;
  bce_logits_backward_f32(z: number, t: number, dy: number, dz: number, n: number): void;
  gather_rows_f32(table: number, idx: number, out: number, tableRows: number, nIdx: number, d: number): void;
  scatter_add_rows_f32(src: number, idx: number, table: number, tableRows: number, nIdx: number, d: number): void;
  spmm_csr_f32(rowPtr: number, colIdx: number, values: number, x: number, y: number, rows: number, cols: number,
    d: number, beta: number): void;
  spmm_csr_t_f32(rowPtr: number, colIdx: number, values: number, x: number, y: number, rows: number, cols: number,
    d: number, beta: number): void;
  segment_max_f32(rowPtr: number, colIdx: number, x: number, y: number, arg: number, rows: number, cols: number,
    d: number): void;
  segment_max_backward_f32(arg: number, dy: number, dx: number, rows: number, cols: number, d: number): void;
  adam_step_f32(p: number, g: number, m: number, v: number, n: number, lr: number, b1: number, b2: number,
    eps: number, wd: number, bc1: number, bc2: number, decoupled: number): void;
  cholesky_workspace_bytes(n: number, m: number): number;
  /** -1, or the first column whose pivot is not > 0. */
  cholesky_f32(a: number, n: number, ws: number, gemmWs: number): number;
  trsm_f32(l: number, b: number, n: number, m: number, trans: number, ws: number, gemmWs: number): void;
  cholesky_inverse_f32(a: number, n: number, ws: number, gemmWs: number): void;
  score_topk_f32(items: number, q: number, nItems: number, d: number, k: number, exclude: number, hasExclude: number,
    outIdx: number, outScore: number, ws: number): number;
  score_i8_f32(items: number, scale: number, q: number, qScale: number, nItems: number, d: number, out: number): void;
  bound_candidates_f32(approx: number, scale: number, alpha: number, n: number, k: number, exclude: number, hasExclude: number, out: number, ws: number): number;
}

export interface LoadedModule { exports: WasmExports; memory: WebAssembly.Memory; maxBytes: number }

// (module (func (result v128) (v128.const i32x4 0 0 0 0))): validates only where SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

const PAGE = 65536;
const INITIAL_PAGES = 256; // 16 MiB; untouched pages cost no RSS

/** Maximum memory in bytes: DPGCN_WASM_MEMORY_MB (default and ceiling 4096, the wasm32 limit). */
function maxMemoryBytes(): number {
  const env = process.env.DPGCN_WASM_MEMORY_MB;
  if (env === undefined || env.trim() === '') return 65536 * PAGE;
  const mb = Number(env);
  if (!Number.isFinite(mb) || mb < 32) throw new Error(`DPGCN_WASM_MEMORY_MB must be a number >= 32 (got '${env}')`);
  return Math.min(65536, Math.floor((mb * 1024 * 1024) / PAGE)) * PAGE;
}

function abortFrom(memory: WebAssembly.Memory) {
  // AssemblyScript strings are UTF-16 with their byte length at ptr - 4.
  const str = (ptr: number): string => {
    if (ptr === 0) return '';
    const len = new Uint32Array(memory.buffer, ptr - 4, 1)[0] >>> 1;
    const u16 = new Uint16Array(memory.buffer, ptr, len);
    let s = '';
    for (let i = 0; i < len; i++) s += String.fromCharCode(u16[i]);
    return s;
  };
  return (msg: number, file: number, line: number, col: number): never => {
    throw new Error(`wasm kernel abort: ${str(msg)} at ${str(file)}:${line}:${col}`);
  };
}

export function loadModule(): LoadedModule {
  if (typeof WebAssembly !== 'object') throw new Error('WebAssembly is not available in this runtime');
  if (!WebAssembly.validate(SIMD_PROBE)) throw new Error('this runtime does not support WebAssembly SIMD (simd128)');
  // DPGCN_WASM_DEBUG=1 loads the debug build (names and source map, for profiling and stack traces).
  const debug = process.env.DPGCN_WASM_DEBUG === '1';
  const file = join(packageRoot(), 'build', debug ? 'kernels.debug.wasm' : 'kernels.wasm');
  if (!existsSync(file)) throw new Error(`${file} not found (run npm run build:wasm)`);
  const maxBytes = maxMemoryBytes();
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: maxBytes / PAGE, shared: true });
  } catch (e) {
    throw new Error(`cannot create a shared WebAssembly.Memory: ${(e as Error).message}`);
  }
  let instance: WebAssembly.Instance;
  try {
    const module = new WebAssembly.Module(readFileSync(file));
    instance = new WebAssembly.Instance(module, { env: { memory, abort: abortFrom(memory) } });
  } catch (e) {
    throw new Error(`cannot instantiate ${file}: ${(e as Error).message}`);
  }
  return { exports: instance.exports as unknown as WasmExports, memory, maxBytes };
}
