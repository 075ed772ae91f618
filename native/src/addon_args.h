// Argument unwrapping and boundary validation for the bindings. An Args
// object reads JS arguments in order; the first failure throws a JS error
// naming the kernel and argument ("spmm: colIdx[5] = 99 is out of range
// [0, 10)") and makes every later read a no-op, so a binding checks ok()
// once before running its kernel. Typed arrays are used in place: the data
// pointer already includes the view's byteOffset.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>

namespace dpgcn {

template <class T>
struct Span {
  T* p = nullptr;
  int64_t len = 0;
  bool present = false;  // false for a null optional argument
};

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* kernel, size_t arity);
  bool ok() const { return !failed_; }
  Napi::Env env() const { return info_.Env(); }

  Span<float> f32(size_t i, const char* name, bool nullable = false);
  Span<int32_t> i32(size_t i, const char* name);
  Span<uint8_t> u8(size_t i, const char* name, bool nullable = false);
  Span<int8_t> i8(size_t i, const char* name);
  Span<int16_t> i16(size_t i, const char* name);
  // A size: an integer in [0, 2^31 - 1].
  int64_t size(size_t i, const char* name);
  double number(size_t i, const char* name);
  bool flag(size_t i, const char* name);
  // An enum code in [0, count).
  int code(size_t i, const char* name, int count);
  // The data of an External carrying `tag` (napi_type_tag_object), else fails.
  void* external(size_t i, const char* name, const napi_type_tag* tag, const char* what);

  // Buffer holds at least `need` elements (skipped for absent optionals).
  template <class T>
  void need(const char* name, const Span<T>& s, int64_t need) {
    if (!failed_ && s.present && s.len < need)
      fail(kRange, "%s is too short (length %lld, need %lld)", name, (long long)s.len, (long long)need);
  }
  // rowPtr (rows+1, from 0, monotone), colIdx and values (nnz, if present)
  // long enough, each colIdx in [0, cols). Returns nnz (0 after a failure).
  int64_t csr(const Span<int32_t>& row_ptr, const Span<int32_t>& col_idx, const Span<float>* values,
              int64_t rows, int64_t cols);
  // idx[0..n) each in [lo, hi).
  void indices(const char* name, const Span<int32_t>& idx, int64_t n, int64_t lo, int64_t hi);

  enum Kind { kType, kRange, kError };
  void fail(Kind kind, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

 private:
  template <class T>
  Span<T> typed(size_t i, const char* name, napi_typedarray_type type, const char* type_name,
                bool nullable);

  const Napi::CallbackInfo& info_;
  const char* kernel_;
  bool failed_ = false;
};

// Argument errors are thrown as instances of the class registered here (the
// JS glue registers KernelArgumentError at load); before that, as
// TypeError/RangeError/Error by kind.
void set_argument_error_class(Napi::Env env, Napi::Function ctor);
void throw_argument_error(Napi::Env env, Args::Kind kind, const std::string& msg);

void register_dense(Napi::Env env, Napi::Object exports);
void register_sparse(Napi::Env env, Napi::Object exports);

}  // namespace dpgcn
