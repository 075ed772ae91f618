// Pool implementation. A job is a fixed list of tasks (task -> range mapping
// is static, which is what determinism needs); threads *claim* tasks from a
// shared counter, so when a worker is descheduled (a busy machine) the
// caller simply runs the remaining tasks itself instead of waiting.
// Workers spin briefly after a job (kernels of a training step arrive back
// to back), then sleep on a condition variable. The Job lives on the
// caller's stack; `inside_` counts workers that may hold a pointer to it,
// and the caller waits for zero before returning. The pool is leaked on
// purpose: joining threads from static destructors at exit would hang.
#include "threadpool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace dpgcn {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

using Clock = std::chrono::steady_clock;
constexpr auto kWorkerSpin = std::chrono::microseconds(100);
constexpr auto kCallerSpin = std::chrono::microseconds(20);

int default_threads() {
  if (const char* env = std::getenv("DPGCN_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n > 256 ? 256 : n;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw > 256 ? 256 : hw);
}

// Spins, then yields the core, until done() holds.
template <class Done>
void wait_until(Done done) {
  const auto start = Clock::now();
  for (unsigned spins = 1; !done(); spins++) {
    if ((spins & 63) == 0 && Clock::now() - start > kCallerSpin) std::this_thread::yield();
    else cpu_relax();
  }
}

struct Job {
  TaskFn fn;
  void* ctx;
  int nt;
  std::atomic<int> next{0};
  std::atomic<int> done{0};

  void work() {
    for (int t; (t = next.fetch_add(1)) < nt;) {
      fn(ctx, t, nt);
      done.fetch_add(1, std::memory_order_release);
    }
  }
};

class Pool {
 public:
  int threads() const { return nthreads_; }

  void resize(int n) {
    std::lock_guard<std::mutex> job_lock(dispatch_);
    stop_workers();
    nthreads_ = n < 1 ? 1 : n;
  }

  void run(int nt, TaskFn fn, void* ctx) {
    // A second JS thread (worker_threads) gets no pool; its job runs inline.
    std::unique_lock<std::mutex> job_lock(dispatch_, std::try_to_lock);
    if (nt <= 1 || nthreads_ <= 1 || !job_lock.owns_lock()) {
      for (int t = 0; t < (nt < 1 ? 1 : nt); t++) fn(ctx, t, nt < 1 ? 1 : nt);
      return;
    }
    if (workers_.empty()) start_workers();
    Job job;
    job.fn = fn; job.ctx = ctx; job.nt = nt;
    job_.store(&job);
    {
      std::lock_guard<std::mutex> lk(mu_);
      epoch_.fetch_add(1);
      if (sleepers_ > 0) cv_.notify_all();
    }
    job.work();
    wait_until([&] { return job.done.load(std::memory_order_acquire) == nt; });
    job_.store(nullptr);
    wait_until([&] { return inside_.load() == 0; });
  }

 private:
  void start_workers() {
    stop_.store(false);
    const uint64_t e = epoch_.load();
    for (int w = 1; w < nthreads_; w++) workers_.emplace_back([this, e] { loop(e); });
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_.store(true);
      cv_.notify_all();
    }
    for (auto& th : workers_) th.join();
    workers_.clear();
  }

  void loop(uint64_t seen) {
    for (;;) {
      uint64_t e;
      auto start = Clock::now();
      for (unsigned spins = 1; (e = epoch_.load(std::memory_order_acquire)) == seen; spins++) {
        if (stop_.load(std::memory_order_relaxed)) return;
        cpu_relax();
        if ((spins & 255) == 0 && Clock::now() - start > kWorkerSpin) {
          std::unique_lock<std::mutex> lk(mu_);
          sleepers_++;
          cv_.wait(lk, [&] { return epoch_.load() != seen || stop_.load(); });
          sleepers_--;
          start = Clock::now();
        }
      }
      seen = e;
      inside_.fetch_add(1);
      if (Job* j = job_.load()) j->work();
      inside_.fetch_sub(1);
    }
  }

  int nthreads_ = default_threads();
  std::mutex dispatch_;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> epoch_{0};
  std::atomic<Job*> job_{nullptr};
  std::atomic<int> inside_{0};
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  int sleepers_ = 0;
};

Pool& pool() {
  static Pool* p = new Pool();
  return *p;
}

}  // namespace

int pool_threads() { return pool().threads(); }
void pool_set_threads(int n) { pool().resize(n <= 0 ? default_threads() : n); }
void run_tasks(int ntasks, TaskFn fn, void* ctx) { pool().run(ntasks, fn, ctx); }

}  // namespace dpgcn
