// Fused Adam(W) step over a flat parameter buffer, in place. Evaluation
// order and precision follow the js reference exactly (double per element,
// m and v rounded to float when stored, then read back).
#pragma once
#include <cstdint>

namespace dpgcn {

void adam_step_f32(float* p, const float* g, float* m, float* v, int64_t n, double lr, double b1,
                   double b2, double eps, double wd, double bc1, double bc2, bool decoupled);

}  // namespace dpgcn
