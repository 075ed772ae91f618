// CPU feature detection and the active instruction-set path.
// The AVX2+FMA kernels live in separate translation units compiled with
// -mavx2 -mfma; callers must check avx2_active() before calling into them,
// so the library still loads and runs on CPUs without AVX2.
#pragma once

namespace dpgcn {

enum class Isa { Portable = 0, Avx2Fma = 1 };

// True when the CPU (and OS) support AVX2 and FMA.
bool cpu_has_avx2_fma();

// The path in use: AVX2+FMA when supported unless DPGCN_NATIVE_ISA=portable.
Isa active_isa();
inline bool avx2_active() { return active_isa() == Isa::Avx2Fma; }

// Forces a path at run time (tests compare both). Requesting AVX2 on a CPU
// without it keeps the portable path. Returns the path now active.
Isa set_isa(Isa want);

const char* isa_name(Isa isa);

}  // namespace dpgcn
