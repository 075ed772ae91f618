// Bindings for dense kernels: unwrap, check every length against the sizes,
// then call the kernel. Argument order follows the Kernels interface in
// src/backend/kernels.ts, with op and broadcast names passed as codes.
#include "addon_args.h"
#include "kernels/cholesky.h"
#include "kernels/elementwise.h"
#include "kernels/gemm.h"
#include "kernels/index.h"
#include "kernels/optim.h"
#include "kernels/reduce.h"
#include "kernels/softmax.h"

namespace dpgcn {
namespace {

using Info = const Napi::CallbackInfo&;

void Gemm(Info info) {
  Args a(info, "gemm", 10);
  auto A = a.f32(0, "a"); auto B = a.f32(1, "b"); auto C = a.f32(2, "c");
  const int64_t m = a.size(3, "m"), n = a.size(4, "n"), k = a.size(5, "k");
  const bool ta = a.flag(6, "ta"), tb = a.flag(7, "tb");
  const double alpha = a.number(8, "alpha"), beta = a.number(9, "beta");
  a.need("a", A, m * k); a.need("b", B, k * n); a.need("c", C, m * n);
  if (a.ok()) gemm_f32(A.p, B.p, C.p, m, n, k, ta, tb, static_cast<float>(alpha), static_cast<float>(beta));
}

void Transpose(Info info) {
  Args a(info, "transpose", 4);
  auto X = a.f32(0, "x"); auto Y = a.f32(1, "y");
  const int64_t m = a.size(2, "m"), n = a.size(3, "n");
  a.need("x", X, m * n); a.need("y", Y, m * n);
  if (a.ok()) transpose_f32(X.p, Y.p, m, n);
}

void RowDot(Info info) {
  Args a(info, "rowDot", 5);
  auto A = a.f32(0, "a"); auto B = a.f32(1, "b"); auto Y = a.f32(2, "y");
  const int64_t m = a.size(3, "m"), n = a.size(4, "n");
  a.need("a", A, m * n); a.need("b", B, m * n); a.need("y", Y, m);
  if (a.ok()) row_dot_f32(A.p, B.p, Y.p, m, n);
}

void Axpy(Info info) {
  Args a(info, "axpy", 4);
  const double alpha = a.number(0, "alpha");
  auto X = a.f32(1, "x"); auto Y = a.f32(2, "y");
  const int64_t n = a.size(3, "n");
  a.need("x", X, n); a.need("y", Y, n);
  if (a.ok()) axpy_f32(alpha, X.p, Y.p, n);
}

void Fill(Info info) {
  Args a(info, "fill", 3);
  auto Y = a.f32(0, "y");
  const double v = a.number(1, "value");
  const int64_t n = a.size(2, "n");
  a.need("y", Y, n);
  if (a.ok()) fill_f32(Y.p, v, n);
}

void Unary(Info info) {
  Args a(info, "unary", 6);
  const int op = a.code(0, "op", kUnaryOpCount);
  auto X = a.f32(1, "x"); auto Y = a.f32(2, "y");
  const int64_t n = a.size(3, "n");
  const double p = a.number(4, "p"), q = a.number(5, "q");
  a.need("x", X, n); a.need("y", Y, n);
  if (a.ok()) unary_f32(op, X.p, Y.p, n, p, q);
}

void UnaryBackward(Info info) {
  Args a(info, "unaryBackward", 8);
  const int op = a.code(0, "op", kUnaryOpCount);
  auto X = a.f32(1, "x"); auto Y = a.f32(2, "y"); auto DY = a.f32(3, "dy"); auto DX = a.f32(4, "dx");
  const int64_t n = a.size(5, "n");
  const double p = a.number(6, "p"), q = a.number(7, "q");
  a.need("x", X, n); a.need("y", Y, n); a.need("dy", DY, n); a.need("dx", DX, n);
  if (a.ok()) unary_backward_f32(op, X.p, Y.p, DY.p, DX.p, n, p, q);
}

void Binary(Info info) {
  Args a(info, "binary", 7);
  const int op = a.code(0, "op", kBinaryOpCount);
  auto A = a.f32(1, "a"); auto B = a.f32(2, "b"); auto Y = a.f32(3, "y");
  const int64_t m = a.size(4, "m"), n = a.size(5, "n");
  const int mode = a.code(6, "mode", kBroadcastCount);
  a.need("a", A, m * n); a.need("y", Y, m * n);
  if (m * n > 0) a.need("b", B, broadcast_len(mode, m, n));
  if (a.ok()) binary_f32(op, A.p, B.p, Y.p, m, n, mode);
}

void BinaryBackward(Info info) {
  Args a(info, "binaryBackward", 9);
  const int op = a.code(0, "op", kBinaryOpCount);
  auto A = a.f32(1, "a"); auto B = a.f32(2, "b"); auto DY = a.f32(3, "dy");
  auto DA = a.f32(4, "da", true); auto DB = a.f32(5, "db", true);
  const int64_t m = a.size(6, "m"), n = a.size(7, "n");
  const int mode = a.code(8, "mode", kBroadcastCount);
  a.need("a", A, m * n); a.need("dy", DY, m * n); a.need("da", DA, m * n);
  if (m * n > 0) { a.need("b", B, broadcast_len(mode, m, n)); a.need("db", DB, broadcast_len(mode, m, n)); }
  if (a.ok()) binary_backward_f32(op, A.p, B.p, DY.p, DA.present ? DA.p : nullptr, DB.present ? DB.p : nullptr, m, n, mode);
}

void SumAxis(Info info) {
  Args a(info, "sumAxis", 5);
  auto X = a.f32(0, "x"); auto Y = a.f32(1, "y");
  const int64_t m = a.size(2, "m"), n = a.size(3, "n");
  const int axis = a.code(4, "axis", 2);
  a.need("x", X, m * n); a.need("y", Y, axis == 0 ? n : m);
  if (a.ok()) sum_axis_f32(X.p, Y.p, m, n, axis);
}

void MaxAxis(Info info) {
  Args a(info, "maxAxis", 6);
  auto X = a.f32(0, "x"); auto Y = a.f32(1, "y"); auto ARG = a.i32(2, "arg");
  const int64_t m = a.size(3, "m"), n = a.size(4, "n");
  const int axis = a.code(5, "axis", 2);
  a.need("x", X, m * n); a.need("y", Y, axis == 0 ? n : m); a.need("arg", ARG, axis == 0 ? n : m);
  if (a.ok()) max_axis_f32(X.p, Y.p, ARG.p, m, n, axis);
}

void SoftmaxRows(Info info) {
  Args a(info, "softmaxRows", 5);
  auto X = a.f32(0, "x"); auto Y = a.f32(1, "y");
  const int64_t m = a.size(2, "m"), n = a.size(3, "n");
  const bool log = a.flag(4, "log");
  a.need("x", X, m * n); a.need("y", Y, m * n);
  if (a.ok()) softmax_rows_f32(X.p, Y.p, m, n, log);
}

void SoftmaxRowsBackward(Info info) {
  Args a(info, "softmaxRowsBackward", 6);
  auto Y = a.f32(0, "y"); auto DY = a.f32(1, "dy"); auto DX = a.f32(2, "dx");
  const int64_t m = a.size(3, "m"), n = a.size(4, "n");
  const bool log = a.flag(5, "log");
  a.need("y", Y, m * n); a.need("dy", DY, m * n); a.need("dx", DX, m * n);
  if (a.ok()) softmax_rows_backward_f32(Y.p, DY.p, DX.p, m, n, log);
}

void BceLogits(Info info) {
  Args a(info, "bceLogits", 4);
  auto Z = a.f32(0, "z"); auto T = a.f32(1, "t"); auto O = a.f32(2, "out");
  const int64_t n = a.size(3, "n");
  a.need("z", Z, n); a.need("t", T, n); a.need("out", O, n);
  if (a.ok()) bce_logits_f32(Z.p, T.p, O.p, n);
}

void BceLogitsBackward(Info info) {
  Args a(info, "bceLogitsBackward", 5);
  auto Z = a.f32(0, "z"); auto T = a.f32(1, "t"); auto DY = a.f32(2, "dy"); auto DZ = a.f32(3, "dz");
  const int64_t n = a.size(4, "n");
  a.need("z", Z, n); a.need("t", T, n); a.need("dy", DY, n); a.need("dz", DZ, n);
  if (a.ok()) bce_logits_backward_f32(Z.p, T.p, DY.p, DZ.p, n);
}

void AdamStep(Info info) {
  Args a(info, "adamStep", 13);
  auto P = a.f32(0, "p"); auto G = a.f32(1, "g"); auto M = a.f32(2, "m"); auto V = a.f32(3, "v");
  const int64_t n = a.size(4, "n");
  const double lr = a.number(5, "lr"), b1 = a.number(6, "b1"), b2 = a.number(7, "b2");
  const double eps = a.number(8, "eps"), wd = a.number(9, "wd"), bc1 = a.number(10, "bc1");
  const double bc2 = a.number(11, "bc2");
  const bool decoupled = a.flag(12, "decoupled");
  a.need("p", P, n); a.need("g", G, n); a.need("m", M, n); a.need("v", V, n);
  if (a.ok()) adam_step_f32(P.p, G.p, M.p, V.p, n, lr, b1, b2, eps, wd, bc1, bc2, decoupled);
}

// Returns -1, or the first column whose pivot is not positive (the JS glue throws).
Napi::Value Cholesky(Info info) {
  Args a(info, "cholesky", 2);
  auto A = a.f32(0, "a");
  const int64_t n = a.size(1, "n");
  a.need("a", A, n * n);
  if (!a.ok()) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), static_cast<double>(cholesky_f32(A.p, n)));
}

void Trsm(Info info) {
  Args a(info, "trsm", 5);
  auto L = a.f32(0, "l"); auto B = a.f32(1, "b");
  const int64_t n = a.size(2, "n"), m = a.size(3, "m");
  const bool trans = a.flag(4, "trans");
  a.need("l", L, n * n); a.need("b", B, n * m);
  if (a.ok()) trsm_lower_f32(L.p, B.p, n, m, trans);
}

void CholeskyInverse(Info info) {
  Args a(info, "choleskyInverse", 2);
  auto A = a.f32(0, "a");
  const int64_t n = a.size(1, "n");
  a.need("a", A, n * n);
  if (a.ok()) cholesky_inverse_f32(A.p, n);
}

}  // namespace

void register_dense(Napi::Env env, Napi::Object exports) {
  const struct { const char* name; void (*fn)(Info); } table[] = {
      {"gemm_f32", Gemm}, {"transpose_f32", Transpose}, {"row_dot_f32", RowDot},
      {"axpy_f32", Axpy}, {"fill_f32", Fill}, {"unary_f32", Unary},
      {"unary_backward_f32", UnaryBackward}, {"binary_f32", Binary},
      {"binary_backward_f32", BinaryBackward}, {"sum_axis_f32", SumAxis},
      {"max_axis_f32", MaxAxis}, {"softmax_rows_f32", SoftmaxRows},
      {"softmax_rows_backward_f32", SoftmaxRowsBackward}, {"bce_logits_f32", BceLogits},
      {"bce_logits_backward_f32", BceLogitsBackward}, {"adam_step_f32", AdamStep},
      {"trsm_f32", Trsm}, {"cholesky_inverse_f32", CholeskyInverse},
  };
  for (const auto& e : table) exports.Set(e.name, Napi::Function::New(env, e.fn, e.name));
  exports.Set("cholesky_f32", Napi::Function::New(env, Cholesky, "cholesky_f32"));
}

}  // namespace dpgcn
