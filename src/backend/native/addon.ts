/**
 * Typings of the native addon's exports (build/Release/dpgcn_native.node).
 * FFI names match the C++ (`native/src/addon*.cc`) and the AssemblyScript
 * build: `<op>_f32`. Op and broadcast names cross as UNARY_CODE/BINARY_CODE/
 * BCAST_CODE integers; every other argument is passed through unchanged.
 */

/** An addon-owned CSR structure (a Node-API External). */
export type NativeCsr = { readonly __nativeCsr: unique symbol };

export interface NativeAddon {
  gemm_f32(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number,
    ta: boolean, tb: boolean, alpha: number, beta: number): void;
  transpose_f32(x: Float32Array, y: Float32Array, m: number, n: number): void;
  row_dot_f32(a: Float32Array, b: Float32Array, y: Float32Array, m: number, n: number): void;
  axpy_f32(alpha: number, x: Float32Array, y: Float32Array, n: number): void;
  fill_f32(y: Float32Array, value: number, n: number): void;
  unary_f32(op: number, x: Float32Array, y: Float32Array, n: number, p: number, q: number): void;
  unary_backward_f32(op: number, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array,
    n: number, p: number, q: number): void;
  binary_f32(op: number, a: Float32Array, b: Float32Array, y: Float32Array, m: number, n: number, mode: number): void;
  binary_backward_f32(op: number, a: Float32Array, b: Float32Array, dy: Float32Array, da: Float32Array | null,
    db: Float32Array | null, m: number, n: number, mode: number): void;
  sum_axis_f32(x: Float32Array, y: Float32Array, m: number, n: number, axis: number): void;
  max_axis_f32(x: Float32Array, y: Float32Array, arg: Int32Array, m: number, n: number, axis: number): void;
  softmax_rows_f32(x: Float32Array, y: Float32Array, m: number, n: number, log: boolean): void;
  softmax_rows_backward_f32(y: Float32Array, dy: Float32Array, dx: Float32Array, m: number, n: number, log: boolean): void;
  bce_logits_f32(z: Float32Array, t: Float32Array, out: Float32Array, n: number): void;
  bce_logits_backward_f32(z: Float32Array, t: Float32Array, dy: Float32Array, dz: Float32Array, n: number): void;
  gather_rows_f32(table: Float32Array, idx: Int32Array, out: Float32Array, tableRows: number, nIdx: number, d: number): void;
  scatter_add_rows_f32(src: Float32Array, idx: Int32Array, table: Float32Array, tableRows: number, nIdx: number, d: number): void;
  spmm_csr_f32(rowPtr: Int32Array, colIdx: Int32Array, values: Float32Array, x: Float32Array, y: Float32Array,
    rows: number, cols: number, d: number, beta: number): void;
  spmm_csr_t_f32(rowPtr: Int32Array, colIdx: Int32Array, values: Float32Array, x: Float32Array, y: Float32Array,
    rows: number, cols: number, d: number, beta: number): void;
  segment_max_f32(rowPtr: Int32Array, colIdx: Int32Array, x: Float32Array, y: Float32Array, arg: Int32Array,
    rows: number, cols: number, d: number): void;
  segment_max_backward_f32(arg: Int32Array, dy: Float32Array, dx: Float32Array, rows: number, cols: number, d: number): void;
  adam_step_f32(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, n: number, lr: number, b1: number,
    b2: number, eps: number, wd: number, bc1: number, bc2: number, decoupled: boolean): void;
  /** A CSR structure copied into the addon and checked there (an External). */
  csr_prepare(rowPtr: Int32Array, colIdx: Int32Array, rows: number, cols: number): NativeCsr;
  csr_free(h: NativeCsr): void;
  spmm_csr_h_f32(h: NativeCsr, values: Float32Array, x: Float32Array, y: Float32Array, d: number, beta: number): void;
  spmm_csr_t_h_f32(h: NativeCsr, values: Float32Array, x: Float32Array, y: Float32Array, d: number, beta: number): void;
  segment_max_h_f32(h: NativeCsr, x: Float32Array, y: Float32Array, arg: Int32Array, d: number): void;
  /** -1, or the first column whose pivot is not > 0. */
  cholesky_f32(a: Float32Array, n: number): number;
  trsm_f32(l: Float32Array, b: Float32Array, n: number, m: number, trans: boolean): void;
  cholesky_inverse_f32(a: Float32Array, n: number): void;
  score_topk_f32(items: Float32Array, q: Float32Array, nItems: number, d: number, k: number,
    exclude: Uint8Array | null, outIdx: Int32Array, outScore: Float32Array): number;
  score_i8_f32(items: Int8Array, scale: Float32Array, q: Int16Array, qScale: number, nItems: number, d: number, out: Float32Array): void;
  bound_candidates_f32(approx: Float32Array, scale: Float32Array, alpha: number, n: number, k: number, exclude: Uint8Array | null, out: Int32Array): number;

  /** Registers the class every argument error is thrown as (the glue passes KernelArgumentError). */
  set_error_class(ctor: new (message: string) => Error): void;
  unary_op_count(): number;
  binary_op_count(): number;
  info(): { isa: string; simd: string; cpuAvx2Fma: boolean; threads: number };
  /** 0 restores the default (DPGCN_THREADS, else all cores). Returns the count now in use. */
  set_threads(n: number): number;
  /** 'portable' or 'avx2' (falls back to portable without AVX2+FMA). Returns the active ISA name. */
  set_isa(name: 'portable' | 'avx2'): string;
  triad_gbs(threads: number): number;
  fma_peak_gflops(): number;
  /** Returns the C heap's free pages to the OS (glibc malloc_trim); 1 if anything was released, 0 otherwise or elsewhere. */
  trim_memory(): number;
}
