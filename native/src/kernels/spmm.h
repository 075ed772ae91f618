// CSR sparse x dense products. A is (rows x cols) in CSR with validated
// indices (the addon checks them); x and y are row-major with d columns.
//   spmm:  y(rows x d) = beta * y + A x          (x: cols x d)
//   spmmT: y(cols x d) = beta * y + A^T x        (x: rows x d)
// Each y element starts from beta * y (nothing when beta == 0) and adds its
// entries in CSR order (spmm) or increasing row order (spmmT), like the js
// reference. Threads own output rows, so results never depend on the count.
#pragma once
#include <cstdint>

namespace dpgcn {

void spmm_csr_f32(const int32_t* row_ptr, const int32_t* col_idx, const float* values,
                  const float* x, float* y, int64_t rows, int64_t cols, int64_t d, float beta);

void spmm_csr_t_f32(const int32_t* row_ptr, const int32_t* col_idx, const float* values,
                    const float* x, float* y, int64_t rows, int64_t cols, int64_t d, float beta);

// Row-range workers; the AVX2 versions live in spmm_avx2.cc.
struct SpmmArgs {
  const int32_t* row_ptr;
  const int32_t* col_idx;
  const float* values;
  const float* x;
  float* y;
  int64_t rows, cols, d, nnz;
  float beta;
  bool prefetch;  // the gathered (spmm: x) or scattered (spmmT: y) rows exceed L2
};
// spmm: output rows [r0, r1).
void spmm_rows_avx2(const SpmmArgs& a, int64_t r0, int64_t r1);
// spmmT: output rows (columns of A) [c0, c1); y already scaled by beta.
void spmmt_cols_avx2(const SpmmArgs& a, int64_t c0, int64_t c1);

}  // namespace dpgcn
