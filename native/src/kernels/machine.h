// Measurements of the machine's limits, for the benchmark's "fraction of
// peak" columns: STREAM triad bandwidth and single-core fp32 FMA throughput.
#pragma once

namespace dpgcn {

// STREAM triad a = b + s*c over three 64 MiB double arrays (beyond any
// cache here), best of several runs, counting 24 bytes per element.
// Uses min(threads, pool threads) threads. Returns 0 if memory is short.
double triad_gbs(int threads);

// fp32 FMA GFLOP/s of one core with independent chains (AVX2 when active).
double fma_peak_gflops();

// Defined in machine_avx2.cc: seconds for `iters` steps of 12 FMA chains.
double fma_chains_avx2(long iters, float* sink);

}  // namespace dpgcn
