// SpMM drivers and portable row kernels. spmm splits output rows so each task
// gets about the same nnz (power-law rows vary by orders of magnitude).
// spmmT scatters: each task owns a range of y rows (columns of A), scans all
// of A in row order and applies only its own entries, so y[j] still receives
// contributions in increasing i and no transpose has to be built per call.
#include "spmm.h"

#include "cpu.h"
#include "threadpool.h"

namespace dpgcn {
namespace {

void spmm_rows_portable(const SpmmArgs& a, int64_t r0, int64_t r1) {
  const int64_t d = a.d;
  for (int64_t i = r0; i < r1; i++) {
    float* yr = a.y + i * d;
    if (a.beta == 0.0f) {
      for (int64_t c = 0; c < d; c++) yr[c] = 0.0f;
    } else {
      for (int64_t c = 0; c < d; c++) yr[c] = a.beta * yr[c];
    }
    for (int32_t p = a.row_ptr[i]; p < a.row_ptr[i + 1]; p++) {
      const float v = a.values[p];
      const float* xr = a.x + static_cast<int64_t>(a.col_idx[p]) * d;
      for (int64_t c = 0; c < d; c++) yr[c] += v * xr[c];
    }
  }
}

void spmmt_cols_portable(const SpmmArgs& a, int64_t c0, int64_t c1) {
  const int64_t d = a.d;
  const uint32_t width = static_cast<uint32_t>(c1 - c0);
  for (int64_t i = 0; i < a.rows; i++) {
    const float* xr = a.x + i * d;
    for (int32_t p = a.row_ptr[i]; p < a.row_ptr[i + 1]; p++) {
      const int64_t j = a.col_idx[p];
      if (static_cast<uint32_t>(j - c0) >= width) continue;
      const float v = a.values[p];
      float* yr = a.y + j * d;
      for (int64_t c = 0; c < d; c++) yr[c] += v * xr[c];
    }
  }
}

// First row r with row_ptr[r] + r * kRowCost >= target (rows are never split).
constexpr int64_t kRowCost = 2;
int64_t row_for_weight(const int32_t* row_ptr, int64_t rows, int64_t target) {
  int64_t lo = 0, hi = rows;
  while (lo < hi) {
    const int64_t mid = (lo + hi) / 2;
    if (row_ptr[mid] + mid * kRowCost < target) lo = mid + 1; else hi = mid;
  }
  return lo;
}

bool rows_exceed_l2(int64_t xrows, int64_t d) { return xrows * d * 4 > (int64_t{1} << 20); }

}  // namespace

void spmm_csr_f32(const int32_t* row_ptr, const int32_t* col_idx, const float* values,
                  const float* x, float* y, int64_t rows, int64_t cols, int64_t d, float beta) {
  if (rows == 0 || d == 0) return;
  const int64_t nnz = row_ptr[rows];
  const SpmmArgs args{row_ptr, col_idx, values, x, y, rows, cols, d, nnz, beta, rows_exceed_l2(cols, d)};
  const bool avx2 = avx2_active();
  const int nt = tasks_for(2.0 * static_cast<double>(nnz + rows) * d);
  const int64_t total = nnz + rows * kRowCost;
  parallel_tasks(nt, [&](int t, int k) {
    const int64_t r0 = row_for_weight(row_ptr, rows, total * t / k);
    const int64_t r1 = t + 1 == k ? rows : row_for_weight(row_ptr, rows, total * (t + 1) / k);
    if (r0 >= r1) return;
    if (avx2) spmm_rows_avx2(args, r0, r1); else spmm_rows_portable(args, r0, r1);
  });
}

void spmm_csr_t_f32(const int32_t* row_ptr, const int32_t* col_idx, const float* values,
                    const float* x, float* y, int64_t rows, int64_t cols, int64_t d, float beta) {
  if (cols == 0 || d == 0) return;
  const int64_t nnz = row_ptr[rows];
  const SpmmArgs args{row_ptr, col_idx, values, x, y, rows, cols, d, nnz, beta, rows_exceed_l2(cols, d)};
  const bool avx2 = avx2_active();
  // Each task scans all of A, so cut no finer than one task per thread.
  int nt = tasks_for(2.0 * static_cast<double>(nnz + cols) * d);
  if (nt > pool_threads()) nt = pool_threads();
  parallel_tasks(nt, [&](int t, int k) {
    auto r = split_range(cols, t, k);
    if (r.first >= r.second) return;
    float* y0 = y + r.first * d;
    const int64_t len = (r.second - r.first) * d;
    if (beta == 0.0f) {
      for (int64_t q = 0; q < len; q++) y0[q] = 0.0f;
    } else if (beta != 1.0f) {
      for (int64_t q = 0; q < len; q++) y0[q] = beta * y0[q];
    }
    if (avx2) spmmt_cols_avx2(args, r.first, r.second); else spmmt_cols_portable(args, r.first, r.second);
  });
}

}  // namespace dpgcn
