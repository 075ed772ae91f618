// scoreTopK: scores are computed in parallel (by item ranges) into scratch,
// then selected by the same bounded insertion the js reference uses, which
// is exact, keeps its tie and NaN behaviour, and rejects most items after
// one comparison once the list is full.
#include "topk.h"

#include <cstdlib>
#include <limits>

#include "threadpool.h"

namespace dpgcn {
namespace {

inline float score(const float* items, const float* q, int64_t i, int64_t d) {
  const float* r = items + i * d;
  double s = 0;
  for (int64_t c = 0; c < d; c++) s += static_cast<double>(r[c]) * q[c];
  return static_cast<float>(s);
}

}  // namespace

int64_t score_topk_f32(const float* items, const float* q, int64_t n_items, int64_t d, int64_t k,
                       const uint8_t* exclude, int32_t* out_idx, float* out_score) {
  const double work = static_cast<double>(n_items) * d;
  float* scores = nullptr;
  if (tasks_for(work) > 1) {
    scores = static_cast<float*>(std::malloc(sizeof(float) * n_items));
    if (scores) {
      parallel_range(n_items, work, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; i++) scores[i] = score(items, q, i, d);
      });
    }
  }
  int64_t count = 0;
  if (k > 0) {
    for (int64_t i = 0; i < n_items; i++) {
      if (exclude && exclude[i]) continue;
      const float sf = scores ? scores[i] : score(items, q, i, d);
      if (count == k && !(sf > out_score[k - 1])) continue;
      int64_t pos = count < k ? count++ : k - 1;
      while (pos > 0 && sf > out_score[pos - 1]) {
        out_score[pos] = out_score[pos - 1];
        out_idx[pos] = out_idx[pos - 1];
        pos--;
      }
      out_score[pos] = sf;
      out_idx[pos] = static_cast<int32_t>(i);
    }
  }
  std::free(scores);
  for (int64_t j = count; j < k; j++) {
    out_idx[j] = -1;
    out_score[j] = -std::numeric_limits<float>::infinity();
  }
  return count;
}

}  // namespace dpgcn
