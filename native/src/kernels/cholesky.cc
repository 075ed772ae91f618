// Blocked Cholesky (right-looking), triangular solves and the SPD inverse
// (LAPACK's potrf / trsm / potri: trtri then lauum), on gemm_strided_f32.
// Flops: cholesky n^3/3, inverse n^3/3 (trtri) + n^3/3 (lauum).
#include "cholesky.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "gemm.h"
#include "threadpool.h"

namespace dpgcn {
namespace {

// Block size: the depth of the trailing GEMM updates, matched to GEMM's KC.
constexpr int64_t NB = 256;

// sum_{p<n} x[p] y[p] in double with four interleaved partial sums (a fixed
// order, so still deterministic): a single chain would be add-latency bound.
double dot(const float* x, const float* y, int64_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t p = 0;
  for (; p + 4 <= n; p += 4) {
    s0 += static_cast<double>(x[p]) * y[p];
    s1 += static_cast<double>(x[p + 1]) * y[p + 1];
    s2 += static_cast<double>(x[p + 2]) * y[p + 2];
    s3 += static_cast<double>(x[p + 3]) * y[p + 3];
  }
  for (; p < n; p++) s0 += static_cast<double>(x[p]) * y[p];
  return (s0 + s1) + (s2 + s3);
}

// Unblocked Cholesky of the kb x kb diagonal block at a (row stride lda),
// double accumulators. Returns -1 or the failing column.
int64_t potf2(float* a, int64_t lda, int64_t kb) {
  for (int64_t j = 0; j < kb; j++) {
    float* rj = a + j * lda;
    const double d = rj[j] - dot(rj, rj, j);
    if (!(d > 0.0)) return j;
    const double ljj = std::sqrt(d);
    rj[j] = static_cast<float>(ljj);
    for (int64_t i = j + 1; i < kb; i++) {
      float* ri = a + i * lda;
      ri[j] = static_cast<float>((ri[j] - dot(ri, rj, j)) / ljj);
    }
  }
  return -1;
}

// inv (kb x kb, row stride kb) = inverse of the lower triangle at l (stride
// ldl), zeros above the diagonal. Row by row: row i of L^-1 is
// (e_i - sum_{p<i} L[i,p] row_p(L^-1)) / L[i,i], in double.
void trti2(const float* l, int64_t ldl, int64_t kb, float* inv) {
  std::vector<double> row(static_cast<size_t>(kb));
  for (int64_t i = 0; i < kb; i++) {
    const float* li = l + i * ldl;
    for (int64_t j = 0; j <= i; j++) row[j] = 0.0;
    row[i] = 1.0;
    for (int64_t p = 0; p < i; p++) {
      const double c = li[p];
      const float* ip = inv + p * kb;
      for (int64_t j = 0; j <= p; j++) row[j] -= c * ip[j];
    }
    const double d = li[i];
    float* out = inv + i * kb;
    for (int64_t j = 0; j <= i; j++) out[j] = static_cast<float>(row[j] / d);
    for (int64_t j = i + 1; j < kb; j++) out[j] = 0.0f;
  }
}

void zero_upper(float* a, int64_t n) {
  parallel_range(n, static_cast<double>(n) * n / 2, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) std::memset(a + i * n + i + 1, 0, sizeof(float) * (n - i - 1));
  });
}

// Copies the upper triangle onto the lower one, in 64 x 64 tiles for the cache.
void mirror_upper(float* a, int64_t n) {
  constexpr int64_t T = 64;
  const int64_t tiles = (n + T - 1) / T;
  parallel_range(tiles, static_cast<double>(n) * n / 2, [&](int64_t b, int64_t e) {
    for (int64_t ti = b; ti < e; ti++) {
      const int64_t i0 = ti * T, i1 = i0 + T < n ? i0 + T : n;
      for (int64_t j0 = i0; j0 < n; j0 += T) {
        const int64_t j1 = j0 + T < n ? j0 + T : n;
        for (int64_t i = i0; i < i1; i++)
          for (int64_t j = j0 > i + 1 ? j0 : i + 1; j < j1; j++) a[j * n + i] = a[i * n + j];
      }
    }
  });
}

void copy_block(const float* src, int64_t lds, float* dst, int64_t ldd, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; i++) std::memcpy(dst + i * ldd, src + i * lds, sizeof(float) * cols);
}

}  // namespace

int64_t cholesky_workspace_floats(int64_t n, int64_t m) {
  const int64_t w = n > m ? n : m;
  return NB * NB + NB * (w > 0 ? w : 1);
}

int64_t cholesky_f32(float* a, int64_t n) {
  std::vector<float> ws(static_cast<size_t>(cholesky_workspace_floats(n, 0)));
  float* dinv = ws.data();
  float* tmp = dinv + NB * NB;
  for (int64_t k0 = 0; k0 < n; k0 += NB) {
    const int64_t kb = n - k0 < NB ? n - k0 : NB;
    float* akk = a + k0 * n + k0;
    const int64_t bad = potf2(akk, n, kb);
    if (bad >= 0) return k0 + bad;
    const int64_t r0 = k0 + kb, rem = n - r0;
    if (rem == 0) break;
    // Panel: A21 = A21 L11^-T, a GEMM against the explicit inverse.
    trti2(akk, n, kb, dinv);
    float* a21 = a + r0 * n + k0;
    for (int64_t i0 = 0; i0 < rem; i0 += NB) {
      const int64_t ib = rem - i0 < NB ? rem - i0 : NB;
      gemm_strided_f32(a21 + i0 * n, n, dinv, kb, tmp, kb, ib, kb, kb, false, true, 1.0f, 0.0f);
      copy_block(tmp, kb, a21 + i0 * n, n, ib, kb);
    }
    // Trailing update of the lower part: A22 -= A21 A21^T, one NB-wide column
    // strip at a time (rows from the strip's diagonal down).
    for (int64_t j0 = r0; j0 < n; j0 += NB) {
      const int64_t jb = n - j0 < NB ? n - j0 : NB;
      const float* pj = a + j0 * n + k0;
      gemm_strided_f32(pj, n, pj, n, a + j0 * n + j0, n, n - j0, jb, kb, false, true, -1.0f, 1.0f);
    }
  }
  zero_upper(a, n);
  return -1;
}

void trsm_lower_f32(const float* l, float* b, int64_t n, int64_t m, bool trans) {
  if (n == 0 || m == 0) return;
  std::vector<float> ws(static_cast<size_t>(cholesky_workspace_floats(0, m)));
  float* dinv = ws.data();
  float* tmp = dinv + NB * NB;
  if (!trans) {
    // Forward: X1 = L11^-1 B1, then B2 -= L21 X1.
    for (int64_t k0 = 0; k0 < n; k0 += NB) {
      const int64_t kb = n - k0 < NB ? n - k0 : NB;
      trti2(l + k0 * n + k0, n, kb, dinv);
      float* bk = b + k0 * m;
      gemm_strided_f32(dinv, kb, bk, m, tmp, m, kb, m, kb, false, false, 1.0f, 0.0f);
      std::memcpy(bk, tmp, sizeof(float) * kb * m);
      const int64_t r0 = k0 + kb;
      if (r0 < n) gemm_strided_f32(l + r0 * n + k0, n, bk, m, b + r0 * m, m, n - r0, m, kb, false, false, -1.0f, 1.0f);
    }
  } else {
    // Backward: X2 = L22^-T B2, then B1 -= L21^T X2.
    const int64_t last = (n - 1) / NB * NB;
    for (int64_t k0 = last; k0 >= 0; k0 -= NB) {
      const int64_t kb = n - k0 < NB ? n - k0 : NB;
      trti2(l + k0 * n + k0, n, kb, dinv);
      float* bk = b + k0 * m;
      gemm_strided_f32(dinv, kb, bk, m, tmp, m, kb, m, kb, true, false, 1.0f, 0.0f);
      std::memcpy(bk, tmp, sizeof(float) * kb * m);
      if (k0 > 0) gemm_strided_f32(l + k0 * n, n, bk, m, b, m, k0, m, kb, true, false, -1.0f, 1.0f);
    }
  }
}

void cholesky_inverse_f32(float* a, int64_t n) {
  if (n == 0) return;
  std::vector<float> ws(static_cast<size_t>(cholesky_workspace_floats(n, 0)));
  float* dinv = ws.data();
  float* tmp = dinv + NB * NB;
  zero_upper(a, n);
  // trtri, right to left: with L22^-1 already in place,
  // L21 <- -(L22^-1 L21) L11^-1, then L11 <- L11^-1.
  const int64_t last = (n - 1) / NB * NB;
  for (int64_t j0 = last; j0 >= 0; j0 -= NB) {
    const int64_t jb = n - j0 < NB ? n - j0 : NB;
    const int64_t r0 = j0 + jb, rem = n - r0;
    trti2(a + j0 * n + j0, n, jb, dinv);
    if (rem > 0) {
      float* x = a + r0 * n + j0;
      // tmp = L22^-1 X by column blocks p of L22^-1 (lower, so block p only
      // reaches rows >= p): tall GEMMs against one small panel of X each.
      for (int64_t p0 = 0; p0 < rem; p0 += NB) {
        const int64_t pb = rem - p0 < NB ? rem - p0 : NB;
        gemm_strided_f32(a + (r0 + p0) * n + r0 + p0, n, x + p0 * n, n, tmp + p0 * jb, jb, rem - p0, jb, pb,
                         false, false, 1.0f, p0 == 0 ? 0.0f : 1.0f);
      }
      gemm_strided_f32(tmp, jb, dinv, jb, x, n, rem, jb, jb, false, false, -1.0f, 0.0f);
    }
    copy_block(dinv, jb, a + j0 * n + j0, n, jb, jb);
  }
  // lauum: (L^-T L^-1)[:, I] = A[I, :r1]^T L_II + A[r1:, :r1]^T A[r1:, I] for
  // rows < r1, i.e. column strip I of the upper triangle. It only reads rows
  // >= I, still L^-1, and writes rows < r1, never read again.
  for (int64_t i0 = 0; i0 < n; i0 += NB) {
    const int64_t ib = n - i0 < NB ? n - i0 : NB;
    const int64_t r1 = i0 + ib;
    float* ai = a + i0 * n;
    gemm_strided_f32(ai, n, ai + i0, n, tmp, ib, r1, ib, ib, true, false, 1.0f, 0.0f);
    if (r1 < n) gemm_strided_f32(a + r1 * n, n, a + r1 * n + i0, n, tmp, ib, r1, ib, n - r1, true, false, 1.0f, 1.0f);
    copy_block(tmp, ib, a + i0, n, r1, ib);
  }
  mirror_upper(a, n);
}

}  // namespace dpgcn
