// score_i8_f32 (portable path and dispatch) and bound_candidates_f32.
// bound_candidates skips blocks of 8 rows with one test when no row in the
// block can enter the list (the common case once it is full), then treats
// the block row by row exactly as the js reference does, so the result is
// the reference's bit for bit.
#include "quantized.h"

#include <limits>

#include "cpu.h"
#include "threadpool.h"

namespace dpgcn {
namespace {

void score_i8_rows(const int8_t* items, const float* scale, const int16_t* q, float q_scale, int64_t i0, int64_t i1,
                   int64_t d, float* out) {
  for (int64_t i = i0; i < i1; i++) {
    const int8_t* r = items + i * d;
    int32_t acc = 0;
    for (int64_t c = 0; c < d; c++) acc += static_cast<int32_t>(r[c]) * q[c];
    const float s = q_scale * scale[i];
    out[i] = s * static_cast<float>(acc);
  }
}

constexpr int64_t kBlock = 8;

}  // namespace

void score_i8_f32(const int8_t* items, const float* scale, const int16_t* q, float q_scale, int64_t n, int64_t d,
                  float* out) {
  const bool avx = avx2_active();
  parallel_range(n, static_cast<double>(n) * d, [&](int64_t i0, int64_t i1) {
    if (avx) score_i8_rows_avx2(items, scale, q, q_scale, i0, i1, d, out);
    else score_i8_rows(items, scale, q, q_scale, i0, i1, d, out);
  });
}

int64_t bound_candidates_f32(const float* approx, const float* scale, double alpha, int64_t n, int64_t k,
                             const uint8_t* exclude, int32_t* out, double* low) {
  if (k <= 0) return 0;
  int64_t count = 0, i = 0;
  auto insert = [&](int64_t j) {
    if (exclude && exclude[j]) return;
    const double lo = static_cast<double>(approx[j]) - alpha * static_cast<double>(scale[j]);
    if (count == k && !(lo > low[k - 1])) return;
    int64_t pos = count < k ? count++ : k - 1;
    while (pos > 0 && lo > low[pos - 1]) { low[pos] = low[pos - 1]; pos--; }
    low[pos] = lo;
  };
  for (; i < n && count < k; i++) insert(i);
  const bool avx = avx2_active();
  for (; i + kBlock <= n; i += kBlock) {
    const double thr = low[k - 1];
    if (avx) {
      i = skip_blocks_avx2(approx, scale, alpha, i, n, thr, false);
      if (i + kBlock > n) break;
      for (int64_t j = 0; j < kBlock; j++) insert(i + j);
      continue;
    }
    bool any = false;
    for (int64_t j = 0; j < kBlock; j++)
      any |= static_cast<double>(approx[i + j]) - alpha * static_cast<double>(scale[i + j]) > thr;
    if (any) for (int64_t j = 0; j < kBlock; j++) insert(i + j);
  }
  for (; i < n; i++) insert(i);
  const double t = count < k ? -std::numeric_limits<double>::infinity() : low[k - 1];
  int64_t m = 0;
  i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    if (avx) {
      i = skip_blocks_avx2(approx, scale, alpha, i, n, t, true);
      if (i + kBlock > n) break;
    } else {
      bool any = false;
      for (int64_t j = 0; j < kBlock; j++)
        any |= static_cast<double>(approx[i + j]) + alpha * static_cast<double>(scale[i + j]) >= t;
      if (!any) continue;
    }
    for (int64_t j = i; j < i + kBlock; j++)
      if (!(exclude && exclude[j]) && static_cast<double>(approx[j]) + alpha * static_cast<double>(scale[j]) >= t)
        out[m++] = static_cast<int32_t>(j);
  }
  for (; i < n; i++)
    if (!(exclude && exclude[i]) && static_cast<double>(approx[i]) + alpha * static_cast<double>(scale[i]) >= t)
      out[m++] = static_cast<int32_t>(i);
  return m;
}

}  // namespace dpgcn
