// Elementwise kernels. Arithmetic mirrors the js reference step for step in
// double precision and rounds to float32 where js stores into a Float32Array,
// so results match it bitwise up to libm differences in exp/log/tanh/pow.
// Op codes are UNARY_CODE / BINARY_CODE / BCAST_CODE of src/backend/kernels.ts.
#pragma once
#include <cstdint>

namespace dpgcn {

enum UnaryOp : int {
  kNeg, kExp, kLog, kSqrt, kAbs, kSigmoid, kTanh, kRelu, kLeakyRelu, kSoftplus, kSquare, kPow,
  kClamp, kScale, kUnaryOpCount
};
enum BinaryOp : int { kAdd, kSub, kMul, kDiv, kMaximum, kMinimum, kBinaryOpCount };
enum Broadcast : int { kFull, kRow, kCol, kScalar, kBroadcastCount };

// y[i] = alpha * x[i] + y[i]
void axpy_f32(double alpha, const float* x, float* y, int64_t n);
void fill_f32(float* y, double value, int64_t n);

// y = f(x); y may alias x.
void unary_f32(int op, const float* x, float* y, int64_t n, double p, double q);
// dx += dy * f'(x) (uses y = f(x) where the js reference does).
void unary_backward_f32(int op, const float* x, const float* y, const float* dy, float* dx,
                        int64_t n, double p, double q);

// y(m x n) = a op b, b broadcast per mode; y may alias a.
void binary_f32(int op, const float* a, const float* b, float* y, int64_t m, int64_t n, int mode);
// da += dy * d(a op b)/da; db += broadcast-reduced dy * d/db (either may be null).
void binary_backward_f32(int op, const float* a, const float* b, const float* dy, float* da,
                         float* db, int64_t m, int64_t n, int mode);

void bce_logits_f32(const float* z, const float* t, float* out, int64_t n);
void bce_logits_backward_f32(const float* z, const float* t, const float* dy, float* dz, int64_t n);

// Elements of b for a broadcast mode over an (m x n) a.
inline int64_t broadcast_len(int mode, int64_t m, int64_t n) {
  return mode == kFull ? m * n : mode == kRow ? n : mode == kCol ? m : 1;
}

}  // namespace dpgcn
