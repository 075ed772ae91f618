// The int8 serving table (src/recsys/quantized.ts): the approximate pass over
// every row and the selection of the rows the exact re-rank must see.
#pragma once
#include <cstdint>

namespace dpgcn {

// items: (n,d) int8, scale: (n), q: (d) int16 -> out: (n):
// out[i] = f32(q_scale * scale[i]) * f32(sum_c q[c] * items[i*d+c]), the sum
// exact in int32 (the caller keeps sum_c |q[c]| * 127 < 2^31), so every
// backend and ISA path gives the same bits.
void score_i8_f32(const int8_t* items, const float* scale, const int16_t* q, float q_scale, int64_t n, int64_t d,
                  float* out);

// Rows [i0, i1) of score_i8_f32 with AVX2 (score_i8_avx2.cc; only after avx2_active()).
void score_i8_rows_avx2(const int8_t* items, const float* scale, const int16_t* q, float q_scale, int64_t i0,
                        int64_t i1, int64_t d, float* out);

// From i, in blocks of 8: the first block with a row passing the bound test
// against thr (see quantized.cc), or the first start with fewer than 8 rows left. AVX2 only.
int64_t skip_blocks_avx2(const float* approx, const float* scale, double alpha, int64_t i, int64_t n, double thr, bool upper);

// lo_i = approx[i] - alpha * scale[i], hi_i = approx[i] + alpha * scale[i]
// (double). t = the k-th largest lo over the rows not excluded (-inf when
// fewer than k rows). Writes, in increasing order, every row not excluded
// with hi_i >= t to out (n slots) and returns the count. k = 0: none.
// work: k doubles of scratch.
int64_t bound_candidates_f32(const float* approx, const float* scale, double alpha, int64_t n, int64_t k,
                             const uint8_t* exclude, int32_t* out, double* work);

}  // namespace dpgcn
