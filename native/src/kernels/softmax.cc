// Softmax rows, split across threads by rows. exp is recomputed in the
// second pass rather than cached: it keeps the js evaluation order exactly
// and needs no scratch memory; y may alias x.
#include "softmax.h"

#include <cmath>
#include <limits>

#include "threadpool.h"

namespace dpgcn {

void softmax_rows_f32(const float* x, float* y, int64_t m, int64_t n, bool log) {
  parallel_range(m, static_cast<double>(m) * n * 16, [&](int64_t r0, int64_t r1) {
    for (int64_t i = r0; i < r1; i++) {
      const float* xr = x + i * n;
      float* yr = y + i * n;
      double mx = -std::numeric_limits<double>::infinity();
      for (int64_t j = 0; j < n; j++)
        if (xr[j] > mx) mx = xr[j];
      double s = 0;
      for (int64_t j = 0; j < n; j++) s += std::exp(xr[j] - mx);
      if (log) {
        const double ls = std::log(s);
        for (int64_t j = 0; j < n; j++) yr[j] = static_cast<float>(xr[j] - mx - ls);
      } else {
        for (int64_t j = 0; j < n; j++) yr[j] = static_cast<float>(std::exp(xr[j] - mx) / s);
      }
    }
  });
}

void softmax_rows_backward_f32(const float* y, const float* dy, float* dx, int64_t m, int64_t n,
                               bool log) {
  parallel_range(m, static_cast<double>(m) * n * (log ? 16 : 2), [&](int64_t r0, int64_t r1) {
    for (int64_t i = r0; i < r1; i++) {
      const float* yr = y + i * n;
      const float* gr = dy + i * n;
      float* dr = dx + i * n;
      double s = 0;
      if (log) {
        for (int64_t j = 0; j < n; j++) s += gr[j];
        for (int64_t j = 0; j < n; j++) dr[j] = static_cast<float>(dr[j] + (gr[j] - std::exp(static_cast<double>(yr[j])) * s));
      } else {
        for (int64_t j = 0; j < n; j++) s += static_cast<double>(gr[j]) * yr[j];
        for (int64_t j = 0; j < n; j++) dr[j] = static_cast<float>(dr[j] + yr[j] * (gr[j] - s));
      }
    }
  });
}

}  // namespace dpgcn
