// Args implementation. Index scans are branch-free reductions (they
// vectorise) over chunks split across the pool; only on failure is the
// first bad position searched again to name it in the message.
#include "addon_args.h"

#include <atomic>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <utility>

#include "kernels/threadpool.h"

namespace dpgcn {
namespace {

// Formats a number the way JS prints it in the common cases.
std::string js_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e21) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string describe(const Napi::Value& v) {
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsTypedArray()) {
    switch (v.As<Napi::TypedArray>().TypedArrayType()) {
      case napi_int8_array: return "Int8Array";
      case napi_uint8_array: return "Uint8Array";
      case napi_uint8_clamped_array: return "Uint8ClampedArray";
      case napi_int16_array: return "Int16Array";
      case napi_uint16_array: return "Uint16Array";
      case napi_int32_array: return "Int32Array";
      case napi_uint32_array: return "Uint32Array";
      case napi_float32_array: return "Float32Array";
      case napi_float64_array: return "Float64Array";
      default: return "a typed array";
    }
  }
  if (v.IsArray()) return "Array";
  if (v.IsNumber()) return "number " + js_number(v.As<Napi::Number>().DoubleValue());
  if (v.IsString()) return "string";
  if (v.IsBoolean()) return "boolean";
  return "object";
}

// True when some v[i] for i < n falls outside [lo, hi).
bool any_out_of_range(const int32_t* v, int64_t n, int64_t lo, int64_t hi) {
  const uint32_t base = static_cast<uint32_t>(lo), width = static_cast<uint32_t>(hi - lo);
  std::atomic<bool> bad{false};
  parallel_range(n, static_cast<double>(n) / 4, [&](int64_t b, int64_t e) {
    int acc = 0;
    for (int64_t i = b; i < e; i++) acc |= static_cast<uint32_t>(v[i]) - base >= width;
    if (acc) bad.store(true, std::memory_order_relaxed);
  }, 64);
  return bad.load();
}

}  // namespace

Args::Args(const Napi::CallbackInfo& info, const char* kernel, size_t arity) : info_(info), kernel_(kernel) {
  if (info.Length() < arity) fail(kType, "expected %zu arguments (got %zu)", arity, info.Length());
}

void Args::fail(Kind kind, const char* fmt, ...) {
  if (failed_) return;
  failed_ = true;
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  throw_argument_error(info_.Env(), kind, std::string(kernel_) + ": " + buf);
}

void set_argument_error_class(Napi::Env env, Napi::Function ctor) {
  auto* ref = env.GetInstanceData<Napi::FunctionReference>();
  if (ref == nullptr) {
    ref = new Napi::FunctionReference();
    env.SetInstanceData<Napi::FunctionReference>(ref);  // deleted with the env
  }
  *ref = Napi::Persistent(ctor);
}

void throw_argument_error(Napi::Env env, Args::Kind kind, const std::string& msg) {
  auto* ref = env.GetInstanceData<Napi::FunctionReference>();
  if (ref != nullptr && !ref->IsEmpty()) {
    // The registered class (KernelArgumentError): one error class on every backend.
    Napi::Object err = ref->New({Napi::String::New(env, msg)});
    if (!env.IsExceptionPending()) Napi::Error(env, err).ThrowAsJavaScriptException();
    return;
  }
  if (kind == Args::kType) Napi::TypeError::New(env, msg).ThrowAsJavaScriptException();
  else if (kind == Args::kRange) Napi::RangeError::New(env, msg).ThrowAsJavaScriptException();
  else Napi::Error::New(env, msg).ThrowAsJavaScriptException();
}

template <class T>
Span<T> Args::typed(size_t i, const char* name, napi_typedarray_type type, const char* type_name,
                    bool nullable) {
  Span<T> s;
  if (failed_) return s;
  const Napi::Value v = info_[i];
  if (nullable && (v.IsNull() || v.IsUndefined())) return s;
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type) {
    const bool vowel = type_name[0] == 'I';  // "an Int32Array", "a Uint8Array"
    fail(kType, "%s must be %s %s%s (got %s)", name, vowel ? "an" : "a", type_name, nullable ? " or null" : "",
         describe(v).c_str());
    return s;
  }
  Napi::TypedArrayOf<T> t = v.As<Napi::TypedArrayOf<T>>();
  s.p = t.Data();
  s.len = static_cast<int64_t>(t.ElementLength());
  s.present = true;
  return s;
}

Span<float> Args::f32(size_t i, const char* name, bool nullable) {
  return typed<float>(i, name, napi_float32_array, "Float32Array", nullable);
}
Span<int32_t> Args::i32(size_t i, const char* name) {
  return typed<int32_t>(i, name, napi_int32_array, "Int32Array", false);
}
Span<uint8_t> Args::u8(size_t i, const char* name, bool nullable) {
  return typed<uint8_t>(i, name, napi_uint8_array, "Uint8Array", nullable);
}

Span<int8_t> Args::i8(size_t i, const char* name) {
  return typed<int8_t>(i, name, napi_int8_array, "Int8Array", false);
}
Span<int16_t> Args::i16(size_t i, const char* name) {
  return typed<int16_t>(i, name, napi_int16_array, "Int16Array", false);
}

double Args::number(size_t i, const char* name) {
  if (failed_) return 0;
  const Napi::Value v = info_[i];
  if (!v.IsNumber()) { fail(kType, "%s must be a number (got %s)", name, describe(v).c_str()); return 0; }
  return v.As<Napi::Number>().DoubleValue();
}

int64_t Args::size(size_t i, const char* name) {
  const double v = number(i, name);
  if (failed_) return 0;
  if (!(v >= 0 && v <= 2147483647.0 && v == std::floor(v))) {
    fail(kRange, "%s must be a non-negative int32 (got %s)", name, js_number(v).c_str());
    return 0;
  }
  return static_cast<int64_t>(v);
}

bool Args::flag(size_t i, const char* name) {
  if (failed_) return false;
  const Napi::Value v = info_[i];
  if (!v.IsBoolean()) { fail(kType, "%s must be a boolean (got %s)", name, describe(v).c_str()); return false; }
  return v.As<Napi::Boolean>().Value();
}

int Args::code(size_t i, const char* name, int count) {
  const double v = number(i, name);
  if (failed_) return 0;
  if (!(v >= 0 && v < count && v == std::floor(v))) {
    fail(kRange, "%s must be an integer code in [0, %d) (got %s)", name, count, js_number(v).c_str());
    return 0;
  }
  return static_cast<int>(v);
}

void* Args::external(size_t i, const char* name, const napi_type_tag* tag, const char* what) {
  if (failed_) return nullptr;
  const Napi::Value v = info_[i];
  bool tagged = false;
  if (v.IsExternal()) napi_check_object_type_tag(info_.Env(), v, tag, &tagged);
  if (!tagged) { fail(kType, "%s must be %s (got %s)", name, what, describe(v).c_str()); return nullptr; }
  return v.As<Napi::External<void>>().Data();
}

int64_t Args::csr(const Span<int32_t>& rp, const Span<int32_t>& ci, const Span<float>* values,
                  int64_t rows, int64_t cols) {
  need("rowPtr", rp, rows + 1);
  if (failed_) return 0;
  if (rp.p[0] != 0) { fail(kRange, "rowPtr[0] must be 0 (got %d)", rp.p[0]); return 0; }
  int bad = 0;
  for (int64_t i = 0; i < rows; i++) bad |= rp.p[i + 1] < rp.p[i];
  if (bad) {
    for (int64_t i = 0; i < rows; i++)
      if (rp.p[i + 1] < rp.p[i]) {
        fail(kRange, "rowPtr is not monotone at row %lld (%d > %d)", (long long)i, rp.p[i], rp.p[i + 1]);
        return 0;
      }
  }
  const int64_t nnz = rp.p[rows];
  need("colIdx", ci, nnz);
  if (values) need("values", *values, nnz);
  indices("colIdx", ci, nnz, 0, cols);
  return failed_ ? 0 : nnz;
}

void Args::indices(const char* name, const Span<int32_t>& idx, int64_t n, int64_t lo, int64_t hi) {
  need(name, idx, n);
  if (failed_ || !any_out_of_range(idx.p, n, lo, hi)) return;
  for (int64_t i = 0; i < n; i++) {
    const int64_t v = idx.p[i];
    if (v < lo || v >= hi) {
      fail(kRange, "%s[%lld] = %lld is out of range [%lld, %lld)", name, (long long)i, (long long)v,
           (long long)lo, (long long)hi);
      return;
    }
  }
}

}  // namespace dpgcn
