// Reductions. Column-wise work is split by column ranges, row-wise work by
// rows; row sums run four rows at a time so four independent double chains
// hide the add latency while each row keeps its left-to-right order.
#include "reduce.h"

#include <limits>

#include "threadpool.h"

namespace dpgcn {

void sum_axis_f32(const float* x, float* y, int64_t m, int64_t n, int axis) {
  const double work = static_cast<double>(m) * n;
  if (axis == 0) {
    parallel_range(n, work, [&](int64_t j0, int64_t j1) {
      for (int64_t j = j0; j < j1; j++) y[j] = 0.0f;
      for (int64_t i = 0; i < m; i++) {
        const float* xr = x + i * n;
        for (int64_t j = j0; j < j1; j++) y[j] += xr[j];
      }
    }, 16);
    return;
  }
  row_dot_f32(x, nullptr, y, m, n);
}

void row_dot_f32(const float* a, const float* b, float* y, int64_t m, int64_t n) {
  // b == nullptr: plain row sums (shares the interleaved loop).
  auto term = [&](int64_t o) { return b ? static_cast<double>(a[o]) * b[o] : static_cast<double>(a[o]); };
  parallel_range(m, static_cast<double>(m) * n, [&](int64_t r0, int64_t r1) {
    int64_t i = r0;
    for (; i + 4 <= r1; i += 4) {
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      const int64_t o0 = i * n, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
      for (int64_t j = 0; j < n; j++) {
        s0 += term(o0 + j); s1 += term(o1 + j); s2 += term(o2 + j); s3 += term(o3 + j);
      }
      y[i] = static_cast<float>(s0); y[i + 1] = static_cast<float>(s1);
      y[i + 2] = static_cast<float>(s2); y[i + 3] = static_cast<float>(s3);
    }
    for (; i < r1; i++) {
      double s = 0;
      for (int64_t j = 0; j < n; j++) s += term(i * n + j);
      y[i] = static_cast<float>(s);
    }
  });
}

void max_axis_f32(const float* x, float* y, int32_t* arg, int64_t m, int64_t n, int axis) {
  const float ninf = -std::numeric_limits<float>::infinity();
  const double work = static_cast<double>(m) * n;
  if (axis == 0) {
    parallel_range(n, work, [&](int64_t j0, int64_t j1) {
      for (int64_t j = j0; j < j1; j++) {
        y[j] = m > 0 ? x[j] : ninf;
        arg[j] = m > 0 ? 0 : -1;
      }
      for (int64_t i = 1; i < m; i++) {
        const float* xr = x + i * n;
        for (int64_t j = j0; j < j1; j++) {
          const bool gt = xr[j] > y[j];
          y[j] = gt ? xr[j] : y[j];
          arg[j] = gt ? static_cast<int32_t>(i) : arg[j];
        }
      }
    }, 16);
    return;
  }
  parallel_range(m, work, [&](int64_t r0, int64_t r1) {
    for (int64_t i = r0; i < r1; i++) {
      const float* xr = x + i * n;
      if (n == 0) { y[i] = ninf; arg[i] = -1; continue; }
      float best = xr[0];
      int32_t bi = 0;
      for (int64_t j = 1; j < n; j++)
        if (xr[j] > best) { best = xr[j]; bi = static_cast<int32_t>(j); }
      y[i] = best;
      arg[i] = bi;
    }
  });
}

}  // namespace dpgcn
