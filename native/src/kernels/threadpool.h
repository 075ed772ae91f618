// Persistent thread pool with static partitioning.
// Invariant: every kernel assigns each output element to exactly one task
// that reduces it in a fixed order, and no arithmetic depends on the task
// boundaries, so results are bitwise equal for any thread or task count.
// The calling thread takes part; small jobs never leave it.
#pragma once
#include <cstdint>
#include <type_traits>
#include <utility>

namespace dpgcn {

using TaskFn = void (*)(void* ctx, int task, int ntasks);

int pool_threads();
// n <= 0 restores the default (DPGCN_THREADS, else hardware threads).
void pool_set_threads(int n);

// Runs fn(ctx, t, ntasks) for every t < ntasks; idle threads claim the next
// task, and the calling thread takes part. Returns when all are done.
void run_tasks(int ntasks, TaskFn fn, void* ctx);

// Work (roughly flops or bytes touched) below which a job stays inline:
// waking a worker costs microseconds.
constexpr double kInlineWork = 1 << 17;
// Jobs are cut finer than the thread count so a descheduled thread only
// holds back a small piece.
constexpr int kTasksPerThread = 4;

inline int tasks_for(double work) {
  const int t = pool_threads();
  if (t <= 1 || work < 2 * kInlineWork) return 1;
  const double by_work = work / kInlineWork;
  const int cap = t * kTasksPerThread;
  return by_work < cap ? static_cast<int>(by_work) : cap;
}

template <class F>
void parallel_tasks(int want, F&& f) {
  if (want <= 1) { f(0, 1); return; }
  using Fn = std::remove_reference_t<F>;
  run_tasks(want, [](void* c, int t, int nt) { (*static_cast<Fn*>(c))(t, nt); }, &f);
}

// Contiguous split of [0, n) in multiples of `align`, one range per task.
inline std::pair<int64_t, int64_t> split_range(int64_t n, int t, int nt, int64_t align = 1) {
  int64_t blocks = (n + align - 1) / align;
  int64_t b0 = blocks * t / nt, b1 = blocks * (t + 1) / nt;
  int64_t lo = b0 * align, hi = b1 * align;
  return {lo < n ? lo : n, hi < n ? hi : n};
}

// f(begin, end) over a static split of [0, n); `work` decides the task count.
template <class F>
void parallel_range(int64_t n, double work, F&& f, int64_t align = 1) {
  int nt = tasks_for(work);
  if (nt > n) nt = n > 0 ? static_cast<int>(n) : 1;
  parallel_tasks(nt, [&](int t, int k) {
    auto r = split_range(n, t, k, align);
    if (r.first < r.second) f(r.first, r.second);
  });
}

}  // namespace dpgcn
