// AVX2+FMA SpMM row kernels. A row's output is processed in column blocks of
// up to 64 floats (8 ymm accumulators + a masked tail), so any d works and
// the accumulators never leave registers while the row's entries stream by.
#include <immintrin.h>

#include "spmm.h"

namespace dpgcn {
namespace {

constexpr int64_t kBlock = 64;
// Entries of lookahead for row prefetch: x rows are gathered at random, and
// 16-64 entries ahead measured alike (about 30% faster than 8) on a 5M-nnz graph.
constexpr int64_t kAhead = 24;

inline __m256i tail_mask(int64_t tail) {
  alignas(32) static const int32_t lanes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lanes + 8 - tail));
}

// One row, columns [c0, c0 + 8 * NV + tail) with tail < 8 (TAIL = tail > 0).
template <int NV, bool TAIL, bool PF>
inline void row_block(const SpmmArgs& a, int64_t i, int64_t c0, __m256i mask) {
  constexpr int N = NV + (TAIL ? 1 : 0);
  __m256 acc[N > 0 ? N : 1];
  float* yr = a.y + i * a.d + c0;
  if (a.beta == 0.0f) {
    for (int q = 0; q < N; q++) acc[q] = _mm256_setzero_ps();
  } else {
    const __m256 vb = _mm256_set1_ps(a.beta);
    for (int q = 0; q < NV; q++) acc[q] = _mm256_mul_ps(vb, _mm256_loadu_ps(yr + 8 * q));
    if (TAIL) acc[NV] = _mm256_mul_ps(vb, _mm256_maskload_ps(yr + 8 * NV, mask));
  }
  const int32_t end = a.row_ptr[i + 1];
  const int64_t lines = (8 * N * 4 + 63) / 64;
  for (int32_t p = a.row_ptr[i]; p < end; p++) {
    if (PF && p + kAhead < a.nnz) {
      const char* ahead = reinterpret_cast<const char*>(a.x + a.col_idx[p + kAhead] * a.d + c0);
      for (int64_t l = 0; l < lines; l++) _mm_prefetch(ahead + 64 * l, _MM_HINT_T0);
    }
    const __m256 v = _mm256_set1_ps(a.values[p]);
    const float* xr = a.x + static_cast<int64_t>(a.col_idx[p]) * a.d + c0;
    for (int q = 0; q < NV; q++) acc[q] = _mm256_fmadd_ps(v, _mm256_loadu_ps(xr + 8 * q), acc[q]);
    if (TAIL) acc[NV] = _mm256_fmadd_ps(v, _mm256_maskload_ps(xr + 8 * NV, mask), acc[NV]);
  }
  for (int q = 0; q < NV; q++) _mm256_storeu_ps(yr + 8 * q, acc[q]);
  if (TAIL) _mm256_maskstore_ps(yr + 8 * NV, mask, acc[NV]);
}

// spmmT for one row i of A: y[j, c0:] += v * x[i, c0:] for its entries in range.
template <int NV, bool TAIL, bool PF>
inline void scatter_block(const SpmmArgs& a, int64_t i, int64_t c0, int64_t j0, uint32_t width,
                          __m256i mask) {
  constexpr int N = NV + (TAIL ? 1 : 0);
  __m256 xv[N > 0 ? N : 1];
  const float* xr = a.x + i * a.d + c0;
  for (int q = 0; q < NV; q++) xv[q] = _mm256_loadu_ps(xr + 8 * q);
  if (TAIL) xv[NV] = _mm256_maskload_ps(xr + 8 * NV, mask);
  const int32_t end = a.row_ptr[i + 1];
  const int64_t lines = (8 * N * 4 + 63) / 64;
  for (int32_t p = a.row_ptr[i]; p < end; p++) {
    if (PF && p + kAhead < a.nnz) {
      const int64_t ja = a.col_idx[p + kAhead];
      if (static_cast<uint32_t>(ja - j0) < width) {
        const char* ahead = reinterpret_cast<const char*>(a.y + ja * a.d + c0);
        for (int64_t l = 0; l < lines; l++) _mm_prefetch(ahead + 64 * l, _MM_HINT_T0);
      }
    }
    const int64_t j = a.col_idx[p];
    if (static_cast<uint32_t>(j - j0) >= width) continue;
    const __m256 v = _mm256_set1_ps(a.values[p]);
    float* yr = a.y + j * a.d + c0;
    for (int q = 0; q < NV; q++)
      _mm256_storeu_ps(yr + 8 * q, _mm256_fmadd_ps(v, xv[q], _mm256_loadu_ps(yr + 8 * q)));
    if (TAIL)
      _mm256_maskstore_ps(yr + 8 * NV, mask,
                          _mm256_fmadd_ps(v, xv[NV], _mm256_maskload_ps(yr + 8 * NV, mask)));
  }
}

using RowFn = void (*)(const SpmmArgs&, int64_t, int64_t, __m256i);
using ScatterFn = void (*)(const SpmmArgs&, int64_t, int64_t, int64_t, uint32_t, __m256i);

template <int NV, bool PF>
RowFn pick_row(bool tail) { return tail ? row_block<NV, true, PF> : row_block<NV, false, PF>; }

template <bool PF>
RowFn row_fn(int64_t nv, bool tail) {
  switch (nv) {
    case 0: return pick_row<0, PF>(tail);
    case 1: return pick_row<1, PF>(tail);
    case 2: return pick_row<2, PF>(tail);
    case 3: return pick_row<3, PF>(tail);
    case 4: return pick_row<4, PF>(tail);
    case 5: return pick_row<5, PF>(tail);
    case 6: return pick_row<6, PF>(tail);
    case 7: return pick_row<7, PF>(tail);
    default: return pick_row<8, PF>(tail);
  }
}

template <int NV, bool PF>
ScatterFn pick_scatter(bool tail) { return tail ? scatter_block<NV, true, PF> : scatter_block<NV, false, PF>; }

template <bool PF>
ScatterFn scatter_fn(int64_t nv, bool tail) {
  switch (nv) {
    case 0: return pick_scatter<0, PF>(tail);
    case 1: return pick_scatter<1, PF>(tail);
    case 2: return pick_scatter<2, PF>(tail);
    case 3: return pick_scatter<3, PF>(tail);
    case 4: return pick_scatter<4, PF>(tail);
    case 5: return pick_scatter<5, PF>(tail);
    case 6: return pick_scatter<6, PF>(tail);
    case 7: return pick_scatter<7, PF>(tail);
    default: return pick_scatter<8, PF>(tail);
  }
}

}  // namespace

void spmm_rows_avx2(const SpmmArgs& a, int64_t r0, int64_t r1) {
  for (int64_t c0 = 0; c0 < a.d; c0 += kBlock) {
    const int64_t w = a.d - c0 < kBlock ? a.d - c0 : kBlock;
    const __m256i mask = tail_mask(w % 8);
    const RowFn fn = a.prefetch ? row_fn<true>(w / 8, w % 8 != 0) : row_fn<false>(w / 8, w % 8 != 0);
    for (int64_t i = r0; i < r1; i++) fn(a, i, c0, mask);
  }
}

void spmmt_cols_avx2(const SpmmArgs& a, int64_t c0, int64_t c1) {
  const uint32_t width = static_cast<uint32_t>(c1 - c0);
  for (int64_t b0 = 0; b0 < a.d; b0 += kBlock) {
    const int64_t w = a.d - b0 < kBlock ? a.d - b0 : kBlock;
    const __m256i mask = tail_mask(w % 8);
    const ScatterFn fn = a.prefetch ? scatter_fn<true>(w / 8, w % 8 != 0) : scatter_fn<false>(w / 8, w % 8 != 0);
    for (int64_t i = 0; i < a.rows; i++) fn(a, i, b0, c0, width, mask);
  }
}

}  // namespace dpgcn
