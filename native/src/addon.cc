// dpgcn native addon: Init registers the kernel bindings (addon_dense.cc,
// addon_sparse.cc) and the runtime controls below. Kernels live in
// kernels/ as plain C++ on float*/int32_t*; this layer only unwraps and
// validates. FFI names are <op>_f32, as in the AssemblyScript build.
#include <napi.h>

#include "addon_args.h"
#include "kernels/cpu.h"
#include "kernels/elementwise.h"
#include "kernels/machine.h"
#include "kernels/threadpool.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace dpgcn {
namespace {

using Info = const Napi::CallbackInfo&;

Napi::Value UnaryOpCount(Info info) { return Napi::Number::New(info.Env(), kUnaryOpCount); }
Napi::Value BinaryOpCount(Info info) { return Napi::Number::New(info.Env(), kBinaryOpCount); }

Napi::Value InfoObj(Info info) {
  Napi::Object o = Napi::Object::New(info.Env());
  const Isa isa = active_isa();
  o.Set("isa", isa_name(isa));
  o.Set("simd", isa == Isa::Avx2Fma ? "avx2" : "none");
  o.Set("cpuAvx2Fma", cpu_has_avx2_fma());
  o.Set("threads", pool_threads());
  return o;
}

Napi::Value SetThreads(Info info) {
  Args a(info, "set_threads", 1);
  const int64_t n = a.size(0, "n");
  if (!a.ok()) return info.Env().Undefined();
  pool_set_threads(static_cast<int>(n > 256 ? 256 : n));
  return Napi::Number::New(info.Env(), pool_threads());
}

// "portable" or "avx2"; returns the ISA name now active.
Napi::Value SetIsa(Info info) {
  if (info.Length() < 1 || !info[0].IsString()) {
    throw_argument_error(info.Env(), Args::kType, "set_isa: name must be 'portable' or 'avx2'");
    return info.Env().Undefined();
  }
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  if (name != "portable" && name != "avx2") {
    throw_argument_error(info.Env(), Args::kRange, "set_isa: name must be 'portable' or 'avx2' (got '" + name + "')");
    return info.Env().Undefined();
  }
  return Napi::String::New(info.Env(), isa_name(set_isa(name == "avx2" ? Isa::Avx2Fma : Isa::Portable)));
}

// Registers the class argument errors are thrown as (KernelArgumentError).
void SetErrorClass(Info info) {
  if (info.Length() < 1 || !info[0].IsFunction()) {
    Napi::TypeError::New(info.Env(), "set_error_class: expected a constructor").ThrowAsJavaScriptException();
    return;
  }
  set_argument_error_class(info.Env(), info[0].As<Napi::Function>());
}

Napi::Value TriadGbs(Info info) {
  Args a(info, "triad_gbs", 1);
  const int64_t n = a.size(0, "threads");
  if (!a.ok()) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), triad_gbs(static_cast<int>(n > 256 ? 256 : n)));
}

Napi::Value FmaPeak(Info info) { return Napi::Number::New(info.Env(), fma_peak_gflops()); }

// Returns the C heap's free pages to the OS (glibc: malloc_trim), e.g. once a
// served model's training-time arrays are collected; 1 if anything was released.
Napi::Value TrimMemory(Info info) {
#if defined(__GLIBC__)
  return Napi::Number::New(info.Env(), malloc_trim(0));
#else
  return Napi::Number::New(info.Env(), 0);
#endif
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  register_dense(env, exports);
  register_sparse(env, exports);
  exports.Set("unary_op_count", Napi::Function::New(env, UnaryOpCount, "unary_op_count"));
  exports.Set("binary_op_count", Napi::Function::New(env, BinaryOpCount, "binary_op_count"));
  exports.Set("info", Napi::Function::New(env, InfoObj, "info"));
  exports.Set("set_threads", Napi::Function::New(env, SetThreads, "set_threads"));
  exports.Set("set_isa", Napi::Function::New(env, SetIsa, "set_isa"));
  exports.Set("set_error_class", Napi::Function::New(env, SetErrorClass, "set_error_class"));
  exports.Set("triad_gbs", Napi::Function::New(env, TriadGbs, "triad_gbs"));
  exports.Set("fma_peak_gflops", Napi::Function::New(env, FmaPeak, "fma_peak_gflops"));
  exports.Set("trim_memory", Napi::Function::New(env, TrimMemory, "trim_memory"));
  return exports;
}

}  // namespace
}  // namespace dpgcn

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return dpgcn::Init(env, exports); }

NODE_API_MODULE(dpgcn_native, InitAddon)
