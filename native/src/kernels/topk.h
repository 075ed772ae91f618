// Scores one query against every item row and keeps the k best.
#pragma once
#include <cstdint>

namespace dpgcn {

// Score = sum_c items[i,c] * q[c] in double, rounded to float. The best k
// (score descending, lower index first on ties; NaN handled like the js
// reference's insertion) go to out_idx/out_score; missing slots are -1/-inf.
// exclude (n_items bytes, nonzero = skip) may be null. Returns the count.
int64_t score_topk_f32(const float* items, const float* q, int64_t n_items, int64_t d, int64_t k,
                       const uint8_t* exclude, int32_t* out_idx, float* out_score);

}  // namespace dpgcn
