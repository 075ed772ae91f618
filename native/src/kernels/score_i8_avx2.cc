// score_i8 rows with AVX2: 16 int8 widened to int16, multiplied by the int16
// query and summed in pairs into int32 (vpmaddwd). Integer sums are exact, so
// the result equals the portable path's.
#include <immintrin.h>

#include "quantized.h"

namespace dpgcn {

void score_i8_rows_avx2(const int8_t* items, const float* scale, const int16_t* q, float q_scale, int64_t i0,
                        int64_t i1, int64_t d, float* out) {
  const int64_t full = d & ~int64_t{15};
  for (int64_t i = i0; i < i1; i++) {
    const int8_t* r = items + i * d;
    __m256i acc = _mm256_setzero_si256();
    int64_t c = 0;
    for (; c < full; c += 16) {
      const __m256i x = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r + c)));
      const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + c));
      acc = _mm256_add_epi32(acc, _mm256_madd_epi16(x, y));
    }
    __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4e));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xb1));
    int32_t s = _mm_cvtsi128_si32(s4);
    for (; c < d; c++) s += static_cast<int32_t>(r[c]) * q[c];
    const float f = q_scale * scale[i];
    out[i] = f * static_cast<float>(s);
  }
}

}  // namespace dpgcn

namespace dpgcn {

// The first i' >= i (a multiple of 8 past i) whose block of 8 has a row with
// approx - alpha * scale > thr (upper = false) or approx + alpha * scale >= thr
// (upper = true), in float64 exactly as the scalar test; returns the last
// block start <= n - 8 + 8 (i.e. >= n - 7) when none has. Ordered compares: NaN fails both.
int64_t skip_blocks_avx2(const float* approx, const float* scale, double alpha, int64_t i, int64_t n, double thr, bool upper) {
  const __m256d va = _mm256_set1_pd(alpha), vt = _mm256_set1_pd(thr);
  for (; i + 8 <= n; i += 8) {
    const __m256 a8 = _mm256_loadu_ps(approx + i), s8 = _mm256_loadu_ps(scale + i);
    const __m256d a0 = _mm256_cvtps_pd(_mm256_castps256_ps128(a8)), a1 = _mm256_cvtps_pd(_mm256_extractf128_ps(a8, 1));
    const __m256d s0 = _mm256_mul_pd(va, _mm256_cvtps_pd(_mm256_castps256_ps128(s8)));
    const __m256d s1 = _mm256_mul_pd(va, _mm256_cvtps_pd(_mm256_extractf128_ps(s8, 1)));
    int m;
    if (upper) m = _mm256_movemask_pd(_mm256_cmp_pd(_mm256_add_pd(a0, s0), vt, _CMP_GE_OQ)) | _mm256_movemask_pd(_mm256_cmp_pd(_mm256_add_pd(a1, s1), vt, _CMP_GE_OQ));
    else m = _mm256_movemask_pd(_mm256_cmp_pd(_mm256_sub_pd(a0, s0), vt, _CMP_GT_OQ)) | _mm256_movemask_pd(_mm256_cmp_pd(_mm256_sub_pd(a1, s1), vt, _CMP_GT_OQ));
    if (m) return i;
  }
  return i;
}

}  // namespace dpgcn
