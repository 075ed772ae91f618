// Runtime ISA choice. Read once from the CPU and DPGCN_NATIVE_ISA at first
// use; set_isa() may change it later (single-writer: the JS thread).
#include "cpu.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace dpgcn {

bool cpu_has_avx2_fma() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

static int initial_isa() {
  const char* env = std::getenv("DPGCN_NATIVE_ISA");
  if (env && std::strcmp(env, "portable") == 0) return static_cast<int>(Isa::Portable);
  return static_cast<int>(cpu_has_avx2_fma() ? Isa::Avx2Fma : Isa::Portable);
}

static std::atomic<int>& isa_slot() {
  static std::atomic<int> slot{initial_isa()};
  return slot;
}

Isa active_isa() { return static_cast<Isa>(isa_slot().load(std::memory_order_relaxed)); }

Isa set_isa(Isa want) {
  if (want == Isa::Avx2Fma && !cpu_has_avx2_fma()) want = Isa::Portable;
  isa_slot().store(static_cast<int>(want), std::memory_order_relaxed);
  return want;
}

const char* isa_name(Isa isa) { return isa == Isa::Avx2Fma ? "avx2+fma" : "portable"; }

}  // namespace dpgcn
