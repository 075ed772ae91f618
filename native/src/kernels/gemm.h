// Dense GEMM: c(m x n) = alpha * op(a) op(b) + beta * c, row-major.
// op(a) = a (m x k) or, when ta, a stored (k x m); op(b) = b (k x n) or, when
// tb, b stored (n x k). beta == 0 never reads c (NaN there is ignored).
// Cache-blocked (BLIS loop order) with packed, zero-padded panels, so the
// transpose flags only change the packing and cost nothing in the inner loop.
// Determinism: tiles sit on a fixed global grid, k is blocked in fixed KC
// steps, and each element's arithmetic never depends on the thread split.
#pragma once
#include <cstdint>

namespace dpgcn {

void gemm_f32(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
              bool ta, bool tb, float alpha, float beta);

// The same product on sub-matrices: row i of a (as stored) starts at a + i * lda,
// likewise b (ldb) and c (ldc). Used by the blocked factorisations, which
// multiply panels of one big matrix in place.
void gemm_strided_f32(const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
                      int64_t m, int64_t n, int64_t k, bool ta, bool tb, float alpha, float beta);

// Micro-kernel: C tile (MR x NR, row stride ldc) = alpha * Ap.Bp + beta * C
// (C not read when beta == 0). Ap: kc x MR panel, Bp: kc x NR panel, both
// k-major and 32-byte aligned.
using GemmMicroKernel = void (*)(int64_t kc, const float* ap, const float* bp, float* c,
                                 int64_t ldc, float alpha, float beta);

struct GemmConfig {
  int mr, nr;
  int64_t mc, kc, nc;
  GemmMicroKernel ukr;
};

// Defined in gemm_avx2.cc (compiled with -mavx2 -mfma).
GemmConfig gemm_config_avx2();

}  // namespace dpgcn
