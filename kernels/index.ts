/**
 * Entry point of build/kernels.wasm: re-exports only. Every kernel of
 * src/backend/kernels.ts as `<op>_f32` with byte-offset (usize) pointers into
 * the imported shared memory, plus the workspace and heap-base queries the
 * JS glue needs to place its allocator and scratch buffers.
 */
export { gemm_f32, gemm_workspace_bytes, transpose_f32 } from './gemm';
export { spmm_csr_f32, spmm_csr_t_f32, segment_max_f32, segment_max_backward_f32 } from './spmm';
export {
  axpy_f32, fill_f32, unary_f32, unary_backward_f32, binary_f32, binary_backward_f32,
  unary_op_count, binary_op_count,
} from './elementwise';
export { row_dot_f32, sum_axis_f32, max_axis_f32 } from './reduce';
export { softmax_rows_f32, softmax_rows_backward_f32, bce_logits_f32, bce_logits_backward_f32 } from './softmax';
export { gather_rows_f32, scatter_add_rows_f32 } from './index_ops';
export { adam_step_f32 } from './optim';
export { score_topk_f32 } from './topk';
export { score_i8_f32, bound_candidates_f32 } from './quantized';
export { cholesky_f32, trsm_f32, cholesky_inverse_f32, cholesky_workspace_bytes } from './cholesky';
export { heap_base } from './heap';
export { check_rowptr_i32, check_range_i32 } from './check';
