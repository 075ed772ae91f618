// Row softmax / log-softmax and their backward, in double per row like the
// js reference (max-shifted; sums left to right), rounded to float on store.
#pragma once
#include <cstdint>

namespace dpgcn {

void softmax_rows_f32(const float* x, float* y, int64_t m, int64_t n, bool log);
// dx += softmax backward given the forward output y and upstream dy.
void softmax_rows_backward_f32(const float* y, const float* dy, float* dx, int64_t m, int64_t n,
                               bool log);

}  // namespace dpgcn
