// Bindings for sparse and index kernels. Every index from JS is checked
// here before the kernel runs: CSR structure, gather/scatter rows, max-pool
// argmax positions; the kernels then trust them.
#include "addon_args.h"
#include "kernels/index.h"
#include "kernels/spmm.h"
#include "kernels/topk.h"
#include "kernels/quantized.h"

#include <vector>

namespace dpgcn {
namespace {

using Info = const Napi::CallbackInfo&;

// spmm (transposed = false) and spmmT share their checks.
void Spmm(Info info, bool transposed) {
  Args a(info, transposed ? "spmmT" : "spmm", 9);
  auto RP = a.i32(0, "rowPtr"); auto CI = a.i32(1, "colIdx"); auto V = a.f32(2, "values");
  auto X = a.f32(3, "x"); auto Y = a.f32(4, "y");
  const int64_t rows = a.size(5, "rows"), cols = a.size(6, "cols"), d = a.size(7, "d");
  const double beta = a.number(8, "beta");
  a.csr(RP, CI, &V, rows, cols);
  a.need("x", X, (transposed ? rows : cols) * d);
  a.need("y", Y, (transposed ? cols : rows) * d);
  if (!a.ok()) return;
  if (transposed) spmm_csr_t_f32(RP.p, CI.p, V.p, X.p, Y.p, rows, cols, d, static_cast<float>(beta));
  else spmm_csr_f32(RP.p, CI.p, V.p, X.p, Y.p, rows, cols, d, static_cast<float>(beta));
}

// A CSR structure owned by the addon (csrPrepare): copied from JS, then
// checked, so the kernels read indices JS cannot change after the check.
struct CsrStructure {
  int64_t rows = 0, cols = 0, nnz = 0;
  bool freed = false;
  std::vector<int32_t> row_ptr, col_idx;
};
constexpr napi_type_tag kCsrTag = {0x6470676362637372ULL, 0x5f73747275637431ULL};

Napi::Value CsrPrepare(Info info) {
  Args a(info, "csrPrepare", 4);
  auto RP = a.i32(0, "rowPtr"); auto CI = a.i32(1, "colIdx");
  const int64_t rows = a.size(2, "rows"), cols = a.size(3, "cols");
  a.need("rowPtr", RP, rows + 1);
  if (!a.ok()) return info.Env().Undefined();
  auto* s = new CsrStructure();
  s->rows = rows; s->cols = cols;
  s->row_ptr.assign(RP.p, RP.p + rows + 1);
  const int64_t nnz = s->row_ptr[rows];
  if (nnz >= 0 && nnz <= CI.len) s->col_idx.assign(CI.p, CI.p + nnz);
  s->nnz = nnz;
  // Check the copy (the same checks as Args::csr, on memory only this handle holds).
  Span<int32_t> rp{s->row_ptr.data(), rows + 1, true}, ci{s->col_idx.data(), static_cast<int64_t>(s->col_idx.size()), true};
  a.csr(rp, ci, nullptr, rows, cols);
  if (!a.ok()) { delete s; return info.Env().Undefined(); }
  Napi::External<CsrStructure> ext =
      Napi::External<CsrStructure>::New(info.Env(), s, [](Napi::Env, CsrStructure* p) { delete p; });
  napi_type_tag_object(info.Env(), ext, &kCsrTag);
  return ext;
}

// Releases a structure's memory now (the External is collected later).
void CsrFree(Info info) {
  Args a(info, "csrFree", 1);
  auto* s = static_cast<CsrStructure*>(a.external(0, "a", &kCsrTag, "a CSR handle from csrPrepare"));
  if (!a.ok()) return;
  s->freed = true;
  std::vector<int32_t>().swap(s->row_ptr);
  std::vector<int32_t>().swap(s->col_idx);
}

CsrStructure* csr_handle(Args& a, size_t i) {
  auto* s = static_cast<CsrStructure*>(a.external(i, "a", &kCsrTag, "a CSR handle from csrPrepare"));
  if (a.ok() && s->freed) a.fail(Args::kRange, "a was disposed");
  return a.ok() ? s : nullptr;
}

// spmm / spmmT over a prepared structure: O(1) checks per call.
void SpmmHandle(Info info, bool transposed) {
  Args a(info, transposed ? "spmmTCsr" : "spmmCsr", 6);
  CsrStructure* s = csr_handle(a, 0);
  auto V = a.f32(1, "values"); auto X = a.f32(2, "x"); auto Y = a.f32(3, "y");
  const int64_t d = a.size(4, "d");
  const double beta = a.number(5, "beta");
  if (!a.ok()) return;
  a.need("values", V, s->nnz);
  a.need("x", X, (transposed ? s->rows : s->cols) * d);
  a.need("y", Y, (transposed ? s->cols : s->rows) * d);
  if (!a.ok()) return;
  const int32_t* rp = s->row_ptr.data();
  const int32_t* ci = s->col_idx.data();
  if (transposed) spmm_csr_t_f32(rp, ci, V.p, X.p, Y.p, s->rows, s->cols, d, static_cast<float>(beta));
  else spmm_csr_f32(rp, ci, V.p, X.p, Y.p, s->rows, s->cols, d, static_cast<float>(beta));
}

void SpmmHandleF(Info info) { SpmmHandle(info, false); }
void SpmmHandleT(Info info) { SpmmHandle(info, true); }

void SegmentMaxHandle(Info info) {
  Args a(info, "segmentMaxCsr", 5);
  CsrStructure* s = csr_handle(a, 0);
  auto X = a.f32(1, "x"); auto Y = a.f32(2, "y"); auto ARG = a.i32(3, "arg");
  const int64_t d = a.size(4, "d");
  if (!a.ok()) return;
  a.need("x", X, s->cols * d); a.need("y", Y, s->rows * d); a.need("arg", ARG, s->rows * d);
  if (a.ok()) segment_max_f32(s->row_ptr.data(), s->col_idx.data(), X.p, Y.p, ARG.p, s->rows, d);
}

void SpmmF(Info info) { Spmm(info, false); }
void SpmmT(Info info) { Spmm(info, true); }

void SegmentMax(Info info) {
  Args a(info, "segmentMax", 8);
  auto RP = a.i32(0, "rowPtr"); auto CI = a.i32(1, "colIdx");
  auto X = a.f32(2, "x"); auto Y = a.f32(3, "y"); auto ARG = a.i32(4, "arg");
  const int64_t rows = a.size(5, "rows"), cols = a.size(6, "cols"), d = a.size(7, "d");
  a.csr(RP, CI, nullptr, rows, cols);
  a.need("x", X, cols * d); a.need("y", Y, rows * d); a.need("arg", ARG, rows * d);
  if (a.ok()) segment_max_f32(RP.p, CI.p, X.p, Y.p, ARG.p, rows, d);
}

void SegmentMaxBackward(Info info) {
  Args a(info, "segmentMaxBackward", 6);
  auto ARG = a.i32(0, "arg"); auto DY = a.f32(1, "dy"); auto DX = a.f32(2, "dx");
  const int64_t rows = a.size(3, "rows"), cols = a.size(4, "cols"), d = a.size(5, "d");
  a.indices("arg", ARG, rows * d, -1, cols);
  a.need("dy", DY, rows * d); a.need("dx", DX, cols * d);
  if (a.ok()) segment_max_backward_f32(ARG.p, DY.p, DX.p, rows, d);
}

void GatherRows(Info info) {
  Args a(info, "gatherRows", 6);
  auto T = a.f32(0, "table"); auto IDX = a.i32(1, "idx"); auto O = a.f32(2, "out");
  const int64_t table_rows = a.size(3, "tableRows"), n_idx = a.size(4, "nIdx"), d = a.size(5, "d");
  a.indices("idx", IDX, n_idx, 0, table_rows);
  a.need("out", O, n_idx * d); a.need("table", T, table_rows * d);
  if (a.ok() && d > 0) gather_rows_f32(T.p, IDX.p, O.p, n_idx, d);
}

void ScatterAddRows(Info info) {
  Args a(info, "scatterAddRows", 6);
  auto S = a.f32(0, "src"); auto IDX = a.i32(1, "idx"); auto T = a.f32(2, "table");
  const int64_t table_rows = a.size(3, "tableRows"), n_idx = a.size(4, "nIdx"), d = a.size(5, "d");
  a.indices("idx", IDX, n_idx, 0, table_rows);
  a.need("src", S, n_idx * d); a.need("table", T, table_rows * d);
  if (a.ok() && d > 0) scatter_add_rows_f32(S.p, IDX.p, T.p, table_rows, n_idx, d);
}

Napi::Value ScoreTopK(Info info) {
  Args a(info, "scoreTopK", 8);
  auto ITEMS = a.f32(0, "items"); auto Q = a.f32(1, "q");
  const int64_t n_items = a.size(2, "nItems"), d = a.size(3, "d"), k = a.size(4, "k");
  auto EX = a.u8(5, "exclude", true);
  auto OI = a.i32(6, "outIdx"); auto OS = a.f32(7, "outScore");
  a.need("items", ITEMS, n_items * d); a.need("q", Q, d);
  a.need("outIdx", OI, k); a.need("outScore", OS, k); a.need("exclude", EX, n_items);
  if (!a.ok()) return a.env().Undefined();
  const int64_t count = score_topk_f32(ITEMS.p, Q.p, n_items, d, k, EX.present ? EX.p : nullptr, OI.p, OS.p);
  return Napi::Number::New(a.env(), static_cast<double>(count));
}

void ScoreI8(Info info) {
  Args a(info, "scoreI8", 7);
  auto ITEMS = a.i8(0, "items"); auto SC = a.f32(1, "scale"); auto Q = a.i16(2, "q");
  const double q_scale = a.number(3, "qScale");
  const int64_t n = a.size(4, "nItems"), d = a.size(5, "d");
  auto OUT = a.f32(6, "out");
  a.need("items", ITEMS, n * d); a.need("scale", SC, n); a.need("q", Q, d); a.need("out", OUT, n);
  if (a.ok()) score_i8_f32(ITEMS.p, SC.p, Q.p, static_cast<float>(q_scale), n, d, OUT.p);
}

Napi::Value BoundCandidates(Info info) {
  Args a(info, "boundCandidates", 7);
  auto AP = a.f32(0, "approx"); auto SC = a.f32(1, "scale");
  const double alpha = a.number(2, "alpha");
  const int64_t n = a.size(3, "n"), k = a.size(4, "k");
  auto EX = a.u8(5, "exclude", true); auto OUT = a.i32(6, "out");
  a.need("approx", AP, n); a.need("scale", SC, n); a.need("exclude", EX, n); a.need("out", OUT, n);
  if (!a.ok()) return a.env().Undefined();
  std::vector<double> low(static_cast<size_t>(k > 0 ? k : 1));
  const int64_t m = bound_candidates_f32(AP.p, SC.p, alpha, n, k, EX.present ? EX.p : nullptr, OUT.p, low.data());
  return Napi::Number::New(a.env(), static_cast<double>(m));
}

}  // namespace

void register_sparse(Napi::Env env, Napi::Object exports) {
  exports.Set("spmm_csr_f32", Napi::Function::New(env, SpmmF, "spmm_csr_f32"));
  exports.Set("spmm_csr_t_f32", Napi::Function::New(env, SpmmT, "spmm_csr_t_f32"));
  exports.Set("segment_max_f32", Napi::Function::New(env, SegmentMax, "segment_max_f32"));
  exports.Set("segment_max_backward_f32", Napi::Function::New(env, SegmentMaxBackward, "segment_max_backward_f32"));
  exports.Set("gather_rows_f32", Napi::Function::New(env, GatherRows, "gather_rows_f32"));
  exports.Set("scatter_add_rows_f32", Napi::Function::New(env, ScatterAddRows, "scatter_add_rows_f32"));
  exports.Set("score_topk_f32", Napi::Function::New(env, ScoreTopK, "score_topk_f32"));
  exports.Set("score_i8_f32", Napi::Function::New(env, ScoreI8, "score_i8_f32"));
  exports.Set("bound_candidates_f32", Napi::Function::New(env, BoundCandidates, "bound_candidates_f32"));
  exports.Set("csr_prepare", Napi::Function::New(env, CsrPrepare, "csr_prepare"));
  exports.Set("csr_free", Napi::Function::New(env, CsrFree, "csr_free"));
  exports.Set("spmm_csr_h_f32", Napi::Function::New(env, SpmmHandleF, "spmm_csr_h_f32"));
  exports.Set("spmm_csr_t_h_f32", Napi::Function::New(env, SpmmHandleT, "spmm_csr_t_h_f32"));
  exports.Set("segment_max_h_f32", Napi::Function::New(env, SegmentMaxHandle, "segment_max_h_f32"));
}

}  // namespace dpgcn
