// Adam step: elementwise, so threads take contiguous chunks.
#include "optim.h"

#include <cmath>

#include "threadpool.h"

namespace dpgcn {

void adam_step_f32(float* p, const float* g, float* m, float* v, int64_t n, double lr, double b1,
                   double b2, double eps, double wd, double bc1, double bc2, bool decoupled) {
  parallel_range(n, static_cast<double>(n) * 8, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      double gi = g[i];
      if (decoupled) p[i] = static_cast<float>(p[i] - lr * wd * p[i]);
      else gi += wd * p[i];
      m[i] = static_cast<float>(b1 * m[i] + (1 - b1) * gi);
      v[i] = static_cast<float>(b2 * v[i] + (1 - b2) * gi * gi);
      p[i] = static_cast<float>(p[i] - lr * (m[i] / bc1) / (std::sqrt(v[i] / bc2) + eps));
    }
  }, 16);
}

}  // namespace dpgcn
