// Index kernels. Scatter-style kernels (scatter-add, max-pool backward) are
// parallel only over disjoint destinations: each task scans every source and
// keeps the ones it owns, so per-destination order stays increasing i.
#include "index.h"

#include <cstring>

#include "threadpool.h"

namespace dpgcn {

void gather_rows_f32(const float* table, const int32_t* idx, float* out, int64_t n_idx, int64_t d) {
  parallel_range(n_idx, static_cast<double>(n_idx) * d, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++)
      std::memcpy(out + i * d, table + static_cast<int64_t>(idx[i]) * d, sizeof(float) * d);
  });
}

void scatter_add_rows_f32(const float* src, const int32_t* idx, float* table, int64_t table_rows,
                          int64_t n_idx, int64_t d) {
  // Owning destination rows costs every task a scan of idx: worth it only
  // when the rows are wide enough to dominate.
  int nt = d >= 16 ? tasks_for(static_cast<double>(n_idx) * d) : 1;
  if (nt > pool_threads()) nt = pool_threads();
  parallel_tasks(nt, [&](int task, int ntasks) {
    const auto [t0, t1] = split_range(table_rows, task, ntasks);
    const uint32_t width = static_cast<uint32_t>(t1 - t0);
    for (int64_t i = 0; i < n_idx; i++) {
      const int64_t r = idx[i];
      if (static_cast<uint32_t>(r - t0) >= width) continue;
      float* tr = table + r * d;
      const float* sr = src + i * d;
      for (int64_t c = 0; c < d; c++) tr[c] += sr[c];
    }
  });
}

void segment_max_f32(const int32_t* row_ptr, const int32_t* col_idx, const float* x, float* y,
                     int32_t* arg, int64_t rows, int64_t d) {
  const double work = static_cast<double>(row_ptr[rows] + rows) * d;
  parallel_range(rows, work, [&](int64_t r0, int64_t r1) {
    for (int64_t i = r0; i < r1; i++) {
      float* yr = y + i * d;
      int32_t* ar = arg + i * d;
      const int32_t b = row_ptr[i], e = row_ptr[i + 1];
      if (b == e) {
        for (int64_t c = 0; c < d; c++) { yr[c] = 0.0f; ar[c] = -1; }
        continue;
      }
      const float* x0 = x + static_cast<int64_t>(col_idx[b]) * d;
      for (int64_t c = 0; c < d; c++) { yr[c] = x0[c]; ar[c] = col_idx[b]; }
      for (int32_t p = b + 1; p < e; p++) {
        const int32_t col = col_idx[p];
        const float* xr = x + static_cast<int64_t>(col) * d;
        for (int64_t c = 0; c < d; c++) {
          const bool gt = xr[c] > yr[c];
          yr[c] = gt ? xr[c] : yr[c];
          ar[c] = gt ? col : ar[c];
        }
      }
    }
  });
}

void segment_max_backward_f32(const int32_t* arg, const float* dy, float* dx, int64_t rows,
                              int64_t d) {
  // Tasks own feature columns (aligned to a 64-byte line), all rows each.
  parallel_range(d, static_cast<double>(rows) * d, [&](int64_t c0, int64_t c1) {
    for (int64_t i = 0; i < rows; i++) {
      const int32_t* ar = arg + i * d;
      const float* gr = dy + i * d;
      for (int64_t c = c0; c < c1; c++)
        if (ar[c] >= 0) dx[static_cast<int64_t>(ar[c]) * d + c] += gr[c];
    }
  }, 16);
}

void transpose_f32(const float* x, float* y, int64_t m, int64_t n) {
  constexpr int64_t B = 32;  // 32x32 tiles: both sides stay in L1
  parallel_range(m, static_cast<double>(m) * n, [&](int64_t i0, int64_t i1) {
    for (int64_t ib = i0; ib < i1; ib += B) {
      const int64_t ie = ib + B < i1 ? ib + B : i1;
      for (int64_t jb = 0; jb < n; jb += B) {
        const int64_t je = jb + B < n ? jb + B : n;
        for (int64_t i = ib; i < ie; i++)
          for (int64_t j = jb; j < je; j++) y[i * n + j] = x[j * m + i];
      }
    }
  }, B);
}

}  // namespace dpgcn
