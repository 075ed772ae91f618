// Index kernels: row gather/scatter, max-pool over CSR segments, transpose.
// All indices were validated by the addon (in range for their table).
#pragma once
#include <cstdint>

namespace dpgcn {

// out(n_idx x d)[i] = table[idx[i]]
void gather_rows_f32(const float* table, const int32_t* idx, float* out, int64_t n_idx, int64_t d);
// table[idx[i]] += src[i], each destination row in increasing i.
void scatter_add_rows_f32(const float* src, const int32_t* idx, float* table, int64_t table_rows,
                          int64_t n_idx, int64_t d);
// y[i,c] = max over the row's entries of x[col,c]; arg = that col (first on
// ties; the first entry is always taken). Empty row: 0 and -1.
void segment_max_f32(const int32_t* row_ptr, const int32_t* col_idx, const float* x, float* y,
                     int32_t* arg, int64_t rows, int64_t d);
// dx[arg[i,c], c] += dy[i,c] where arg >= 0, in increasing i.
void segment_max_backward_f32(const int32_t* arg, const float* dy, float* dx, int64_t rows,
                              int64_t d);
// y(m x n) = x(n x m)^T
void transpose_f32(const float* x, float* y, int64_t m, int64_t n);

}  // namespace dpgcn
