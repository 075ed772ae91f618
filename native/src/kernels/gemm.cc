// GEMM driver: BLIS-style blocking (jc: NC columns, pc: KC depth, ic: MC
// rows, then MR x NR micro-tiles), packing, the portable micro-kernel, and
// the split of output rows across threads. Each task packs its own B block:
// B panels are small next to the work on them, and it avoids a barrier.
#include "gemm.h"

#include <cstdlib>
#include <cstring>
#include <memory>

#include "cpu.h"
#include "threadpool.h"

namespace dpgcn {
namespace {

// Portable 4x8 tile: eight 4-wide SSE accumulators after auto-vectorisation.
constexpr int PMR = 4, PNR = 8;

void ukr_portable(int64_t kc, const float* ap, const float* bp, float* c, int64_t ldc, float alpha,
                  float beta) {
  float acc[PMR][PNR] = {};
  for (int64_t p = 0; p < kc; p++) {
    for (int i = 0; i < PMR; i++) {
      const float a = ap[p * PMR + i];
      for (int j = 0; j < PNR; j++) acc[i][j] += a * bp[p * PNR + j];
    }
  }
  for (int i = 0; i < PMR; i++) {
    float* row = c + i * ldc;
    if (beta == 0.0f) {
      for (int j = 0; j < PNR; j++) row[j] = alpha * acc[i][j];
    } else {
      for (int j = 0; j < PNR; j++) row[j] = alpha * acc[i][j] + beta * row[j];
    }
  }
}

GemmConfig gemm_config_portable() { return {PMR, PNR, 128, 256, 3072, ukr_portable}; }

struct FreeDeleter { void operator()(float* p) const { std::free(p); } };

// Per-thread packing buffers, grown on demand and kept for later calls.
struct PackBuffers {
  std::unique_ptr<float, FreeDeleter> a, b;
  size_t a_cap = 0, b_cap = 0;
  static bool grow(std::unique_ptr<float, FreeDeleter>& p, size_t& cap, size_t need) {
    if (need <= cap) return true;
    size_t bytes = ((need * sizeof(float)) + 63) / 64 * 64;
    float* q = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (!q) return false;
    p.reset(q);
    cap = need;
    return true;
  }
};
thread_local PackBuffers tl_pack;

// op(a)[i0 + i, p0 + p] for i < mc, p < kc into MR-row panels, zero padded.
void pack_a(const float* a, int64_t lda, bool ta, int64_t i0, int64_t mc, int64_t p0,
            int64_t kc, int mr, float* dst) {
  for (int64_t ir = 0; ir < mc; ir += mr, dst += kc * mr) {
    const int64_t rows = mc - ir < mr ? mc - ir : mr;
    if (rows < mr) std::memset(dst, 0, sizeof(float) * kc * mr);
    if (ta) {
      // a is (k x m): each depth step reads `rows` consecutive floats.
      for (int64_t p = 0; p < kc; p++) {
        const float* src = a + (p0 + p) * lda + i0 + ir;
        for (int64_t i = 0; i < rows; i++) dst[p * mr + i] = src[i];
      }
    } else {
      for (int64_t i = 0; i < rows; i++) {
        const float* src = a + (i0 + ir + i) * lda + p0;
        for (int64_t p = 0; p < kc; p++) dst[p * mr + i] = src[p];
      }
    }
  }
}

// op(b)[p0 + p, j0 + j] for p < kc, j < nc into NR-column panels, zero padded.
void pack_b(const float* b, int64_t ldb, bool tb, int64_t p0, int64_t kc, int64_t j0,
            int64_t nc, int nr, float* dst) {
  for (int64_t jr = 0; jr < nc; jr += nr, dst += kc * nr) {
    const int64_t cols = nc - jr < nr ? nc - jr : nr;
    if (tb) {
      if (cols < nr) std::memset(dst, 0, sizeof(float) * kc * nr);
      for (int64_t j = 0; j < cols; j++) {
        const float* src = b + (j0 + jr + j) * ldb + p0;
        for (int64_t p = 0; p < kc; p++) dst[p * nr + j] = src[p];
      }
    } else {
      for (int64_t p = 0; p < kc; p++) {
        const float* src = b + (p0 + p) * ldb + j0 + jr;
        float* d = dst + p * nr;
        int64_t j = 0;
        for (; j < cols; j++) d[j] = src[j];
        for (; j < nr; j++) d[j] = 0.0f;
      }
    }
  }
}

// Rows [m0, m1) of c; m0 is a multiple of cfg.mr so tiles stay on the global grid.
void gemm_rows(const GemmConfig& cfg, const float* a, int64_t lda, const float* b, int64_t ldb,
               float* c, int64_t ldc, int64_t n, int64_t k, bool ta, bool tb, float alpha,
               float beta, int64_t m0, int64_t m1) {
  const int mr = cfg.mr, nr = cfg.nr;
  const int64_t kc_max = k < cfg.kc ? k : cfg.kc;
  const int64_t nc_max = ((n < cfg.nc ? n : cfg.nc) + nr - 1) / nr * nr;
  const int64_t mc_max = (cfg.mc + mr - 1) / mr * mr;
  PackBuffers& pb = tl_pack;
  if (!PackBuffers::grow(pb.a, pb.a_cap, static_cast<size_t>(mc_max * kc_max)) ||
      !PackBuffers::grow(pb.b, pb.b_cap, static_cast<size_t>(nc_max * kc_max))) {
    // Out of memory for the panels: an unblocked loop still gives the answer.
    for (int64_t i = m0; i < m1; i++)
      for (int64_t j = 0; j < n; j++) {
        float s = 0.0f;
        for (int64_t p = 0; p < k; p++) s += (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
        c[i * ldc + j] = beta == 0.0f ? alpha * s : alpha * s + beta * c[i * ldc + j];
      }
    return;
  }
  float* ap = pb.a.get();
  float* bp = pb.b.get();
  alignas(64) float tile[8 * 32];
  for (int64_t jc = 0; jc < n; jc += cfg.nc) {
    const int64_t nc = n - jc < cfg.nc ? n - jc : cfg.nc;
    for (int64_t pc = 0; pc < k; pc += cfg.kc) {
      const int64_t kc = k - pc < cfg.kc ? k - pc : cfg.kc;
      const float beta_eff = pc == 0 ? beta : 1.0f;
      pack_b(b, ldb, tb, pc, kc, jc, nc, nr, bp);
      for (int64_t ic = m0; ic < m1; ic += cfg.mc) {
        const int64_t mc = m1 - ic < cfg.mc ? m1 - ic : cfg.mc;
        pack_a(a, lda, ta, ic, mc, pc, kc, mr, ap);
        for (int64_t jr = 0; jr < nc; jr += nr) {
          const int64_t cols = nc - jr < nr ? nc - jr : nr;
          const float* bpanel = bp + jr * kc;
          for (int64_t ir = 0; ir < mc; ir += mr) {
            const int64_t rows = mc - ir < mr ? mc - ir : mr;
            float* ct = c + (ic + ir) * ldc + jc + jr;
            const float* apanel = ap + ir * kc;
            if (rows == mr && cols == nr) {
              cfg.ukr(kc, apanel, bpanel, ct, ldc, alpha, beta_eff);
              continue;
            }
            // Edge tile: same kernel on a staged copy, so the arithmetic
            // per element is identical to a full tile.
            for (int64_t i = 0; i < rows; i++)
              for (int64_t j = 0; j < nr; j++) tile[i * nr + j] = j < cols ? ct[i * ldc + j] : 0.0f;
            cfg.ukr(kc, apanel, bpanel, tile, nr, alpha, beta_eff);
            for (int64_t i = 0; i < rows; i++)
              std::memcpy(ct + i * ldc, tile + i * nr, sizeof(float) * cols);
          }
        }
      }
    }
  }
}

}  // namespace

void gemm_strided_f32(const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
                      int64_t m, int64_t n, int64_t k, bool ta, bool tb, float alpha, float beta) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = 0; j < n; j++) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    return;
  }
  const GemmConfig cfg = avx2_active() ? gemm_config_avx2() : gemm_config_portable();
  const double work = 2.0 * static_cast<double>(m) * n * k;
  int nt = tasks_for(work / 8);
  // Every task packs its own B block; with a big B, one task per thread.
  if (static_cast<double>(k) * n > 512.0 * 512.0 && nt > pool_threads()) nt = pool_threads();
  const int64_t tiles = (m + cfg.mr - 1) / cfg.mr;
  if (nt > tiles) nt = static_cast<int>(tiles);
  parallel_tasks(nt, [&](int t, int ntasks) {
    auto r = split_range(m, t, ntasks, cfg.mr);
    if (r.first < r.second) gemm_rows(cfg, a, lda, b, ldb, c, ldc, n, k, ta, tb, alpha, beta, r.first, r.second);
  });
}

void gemm_f32(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
              bool ta, bool tb, float alpha, float beta) {
  gemm_strided_f32(a, ta ? m : k, b, tb ? k : n, c, n, m, n, k, ta, tb, alpha, beta);
}

}  // namespace dpgcn
