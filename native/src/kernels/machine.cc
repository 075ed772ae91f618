// Machine limits. Arrays are first-touched by the same thread split that
// later streams them, so pages sit near the threads that use them.
#include "machine.h"

#include <chrono>
#include <cstdint>
#include <cstdlib>

#include "cpu.h"
#include "threadpool.h"

namespace dpgcn {
namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Portable chains: mul+add (no FMA instruction on the baseline ISA), 4-wide
// after vectorisation; counted as 2 flops per lane per step like an FMA.
double fma_chains_portable(long iters, float* sink) {
  float acc[32];
  for (int i = 0; i < 32; i++) acc[i] = 1.0f + i * 1e-3f;
  const float b = 0.9999999f, c = 1e-7f;
  const double t0 = now_s();
  for (long it = 0; it < iters; it++)
    for (int i = 0; i < 32; i++) acc[i] = acc[i] * b + c;
  const double t = now_s() - t0;
  float s = 0;
  for (int i = 0; i < 32; i++) s += acc[i];
  *sink = s;
  return t;
}

}  // namespace

double triad_gbs(int threads) {
  const int64_t n = int64_t{1} << 23;  // 8 Mi doubles = 64 MiB per array
  double* a = static_cast<double*>(std::aligned_alloc(64, sizeof(double) * n));
  double* b = static_cast<double*>(std::aligned_alloc(64, sizeof(double) * n));
  double* c = static_cast<double*>(std::aligned_alloc(64, sizeof(double) * n));
  double best = 0;
  if (a && b && c) {
    const int nt = threads < 1 ? 1 : threads;
    const double s = 3.0;
    parallel_tasks(nt, [&](int t, int k) {
      auto r = split_range(n, t, k, 8);
      for (int64_t i = r.first; i < r.second; i++) { a[i] = 0; b[i] = 1; c[i] = 2; }
    });
    for (int rep = 0; rep < 6; rep++) {
      const double t0 = now_s();
      parallel_tasks(nt, [&](int t, int k) {
        auto r = split_range(n, t, k, 8);
        for (int64_t i = r.first; i < r.second; i++) a[i] = b[i] + s * c[i];
      });
      const double dt = now_s() - t0;
      const double gbs = 24.0 * n / dt / 1e9;
      if (rep > 0 && gbs > best) best = gbs;  // rep 0 warms up the pool and TLB
    }
  }
  std::free(a);
  std::free(b);
  std::free(c);
  return best;
}

double fma_peak_gflops() {
  const bool avx2 = avx2_active();
  const long iters = 1L << 21;
  float sink = 0;
  double best = 0;
  for (int rep = 0; rep < 5; rep++) {
    const double t = avx2 ? fma_chains_avx2(iters, &sink) : fma_chains_portable(iters, &sink);
    // avx2: 12 chains x 8 lanes; portable: 32 lanes; 2 flops each.
    const double flops = static_cast<double>(iters) * (avx2 ? 12 * 8 : 32) * 2;
    if (t > 0 && flops / t / 1e9 > best) best = flops / t / 1e9;
  }
  if (sink == 12345.0f) best += 0;  // keeps the chains observable
  return best;
}

}  // namespace dpgcn
