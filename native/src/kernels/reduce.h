// Row/column reductions. Summation order and precision follow the js
// reference (column sums accumulate in float, row sums and dot products in
// double, left to right), so results match it bitwise.
#pragma once
#include <cstdint>

namespace dpgcn {

// axis 0: y(n) = column sums; axis 1: y(m) = row sums of x (m x n).
void sum_axis_f32(const float* x, float* y, int64_t m, int64_t n, int axis);
// Max with argmax, first index on ties; an empty reduction gives -inf, -1.
// The first element is always taken (even NaN), later ones only if greater.
void max_axis_f32(const float* x, float* y, int32_t* arg, int64_t m, int64_t n, int axis);
// y[i] = sum_j a[i,j] * b[i,j]
void row_dot_f32(const float* a, const float* b, float* y, int64_t m, int64_t n);

}  // namespace dpgcn
