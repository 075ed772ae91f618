// Elementwise kernels: one loop per op so each inner loop is branch-free and
// auto-vectorises; large arrays are split into contiguous chunks per thread.
#include "elementwise.h"

#include <cmath>
#include <limits>

#include "threadpool.h"

namespace dpgcn {
namespace {

// Relative cost of an element, to decide when threads pay off.
constexpr double kCheap = 1.0, kTranscendental = 16.0;

template <class F>
void each(int64_t n, double cost, F f) {
  parallel_range(n, static_cast<double>(n) * cost, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) f(i);
  }, 16);
}

// Math.pow differs from C pow where the result is NaN in js.
inline double js_pow(double x, double y) {
  if (std::isnan(y) || (std::isinf(y) && std::fabs(x) == 1.0)) return std::numeric_limits<double>::quiet_NaN();
  return std::pow(x, y);
}

inline double js_max0(double x) { return std::isnan(x) ? x : (x > 0.0 ? x : 0.0); }

inline double softplus(double x) { return js_max0(x) + std::log1p(std::exp(-std::fabs(x))); }

}  // namespace

void axpy_f32(double alpha, const float* x, float* y, int64_t n) {
  each(n, kCheap, [=](int64_t i) { y[i] = static_cast<float>(y[i] + alpha * x[i]); });
}

void fill_f32(float* y, double value, int64_t n) {
  const float v = static_cast<float>(value);
  each(n, kCheap, [=](int64_t i) { y[i] = v; });
}

void unary_f32(int op, const float* x, float* y, int64_t n, double p, double q) {
  const float pf = static_cast<float>(p), qf = static_cast<float>(q);
  auto F = [&](double cost, auto f) { each(n, cost, [=](int64_t i) { y[i] = static_cast<float>(f(static_cast<double>(x[i]))); }); };
  switch (op) {
    case kNeg: each(n, kCheap, [=](int64_t i) { y[i] = -x[i]; }); break;
    case kExp: F(kTranscendental, [](double v) { return std::exp(v); }); break;
    case kLog: F(kTranscendental, [](double v) { return std::log(v); }); break;
    case kSqrt: F(kCheap, [](double v) { return std::sqrt(v); }); break;
    case kAbs: each(n, kCheap, [=](int64_t i) { y[i] = std::fabs(x[i]); }); break;
    case kSigmoid: F(kTranscendental, [](double v) { return 1.0 / (1.0 + std::exp(-v)); }); break;
    case kTanh: F(kTranscendental, [](double v) { return std::tanh(v); }); break;
    case kRelu: each(n, kCheap, [=](int64_t i) { y[i] = x[i] > 0.0f ? x[i] : 0.0f; }); break;
    case kLeakyRelu: F(kCheap, [p](double v) { return v > 0.0 ? v : p * v; }); break;
    case kSoftplus: F(kTranscendental, [](double v) { return softplus(v); }); break;
    case kSquare: F(kCheap, [](double v) { return v * v; }); break;
    case kPow: F(kTranscendental, [p](double v) { return js_pow(v, p); }); break;
    case kClamp:
      each(n, kCheap, [=](int64_t i) {
        const double v = x[i];
        y[i] = v < p ? pf : v > q ? qf : x[i];
      });
      break;
    case kScale: F(kCheap, [p](double v) { return p * v; }); break;
    default: break;
  }
}

void unary_backward_f32(int op, const float* x, const float* y, const float* dy, float* dx,
                        int64_t n, double p, double q) {
  // dx = float(dx + dy * f'), f' computed in double from x or y.
  auto G = [&](double cost, auto d) {
    each(n, cost, [=](int64_t i) {
      dx[i] = static_cast<float>(dx[i] + static_cast<double>(dy[i]) * d(static_cast<double>(x[i]), static_cast<double>(y[i])));
    });
  };
  switch (op) {
    case kNeg: G(kCheap, [](double, double) { return -1.0; }); break;
    case kExp: G(kCheap, [](double, double v) { return v; }); break;
    case kLog: G(kCheap, [](double u, double) { return 1.0 / u; }); break;
    case kSqrt: G(kCheap, [](double, double v) { return 0.5 / v; }); break;
    case kAbs: G(kCheap, [](double u, double) { return u > 0.0 ? 1.0 : u < 0.0 ? -1.0 : 0.0; }); break;
    case kSigmoid: G(kCheap, [](double, double v) { return v * (1.0 - v); }); break;
    case kTanh: G(kCheap, [](double, double v) { return 1.0 - v * v; }); break;
    case kRelu: G(kCheap, [](double u, double) { return u > 0.0 ? 1.0 : 0.0; }); break;
    case kLeakyRelu: G(kCheap, [p](double u, double) { return u > 0.0 ? 1.0 : p; }); break;
    case kSoftplus: G(kTranscendental, [](double u, double) { return 1.0 / (1.0 + std::exp(-u)); }); break;
    case kSquare: G(kCheap, [](double u, double) { return 2.0 * u; }); break;
    case kPow: G(kTranscendental, [p](double u, double) { return p * js_pow(u, p - 1.0); }); break;
    case kClamp: G(kCheap, [p, q](double u, double) { return u >= p && u <= q ? 1.0 : 0.0; }); break;
    case kScale: G(kCheap, [p](double, double) { return p; }); break;
    default: break;
  }
}

namespace {

inline int64_t bidx(int mode, int64_t i, int64_t j, int64_t n) {
  return mode == kFull ? i * n + j : mode == kRow ? j : mode == kCol ? i : 0;
}

template <class F>
void binary_impl(const float* a, const float* b, float* y, int64_t m, int64_t n, int mode, F f) {
  parallel_range(m, static_cast<double>(m) * n, [&](int64_t r0, int64_t r1) {
    for (int64_t i = r0; i < r1; i++) {
      const float* ar = a + i * n;
      float* yr = y + i * n;
      switch (mode) {
        case kFull: { const float* br = b + i * n; for (int64_t j = 0; j < n; j++) yr[j] = f(ar[j], br[j]); break; }
        case kRow: for (int64_t j = 0; j < n; j++) yr[j] = f(ar[j], b[j]); break;
        case kCol: { const float s = b[i]; for (int64_t j = 0; j < n; j++) yr[j] = f(ar[j], s); break; }
        default: { const float s = b[0]; for (int64_t j = 0; j < n; j++) yr[j] = f(ar[j], s); break; }
      }
    }
  });
}

// (ga, gb) for y = x op yb with upstream g, in double as the js reference.
struct Grad { double a, b; };
template <int OP>
inline Grad grad(double x, double y, double g) {
  if (OP == kAdd) return {g, g};
  if (OP == kSub) return {g, -g};
  if (OP == kMul) return {g * y, g * x};
  if (OP == kDiv) return {g / y, -g * x / (y * y)};
  if (OP == kMaximum) return x >= y ? Grad{g, 0.0} : Grad{0.0, g};
  return x <= y ? Grad{g, 0.0} : Grad{0.0, g};
}

template <int OP>
void binary_backward_impl(const float* a, const float* b, const float* dy, float* da, float* db,
                          int64_t m, int64_t n, int mode) {
  const double work = static_cast<double>(m) * n;
  auto at = [&](int64_t i, int64_t j) {
    const int64_t o = i * n + j;
    return grad<OP>(a[o], b[bidx(mode, i, j, n)], dy[o]);
  };
  if (da) {
    parallel_range(m, work, [&](int64_t r0, int64_t r1) {
      for (int64_t i = r0; i < r1; i++)
        for (int64_t j = 0; j < n; j++) da[i * n + j] = static_cast<float>(da[i * n + j] + at(i, j).a);
    });
  }
  if (!db) return;
  // Each db element is owned by one task and summed in index order.
  if (mode == kRow) {
    parallel_range(n, work, [&](int64_t j0, int64_t j1) {
      for (int64_t i = 0; i < m; i++)
        for (int64_t j = j0; j < j1; j++) db[j] = static_cast<float>(db[j] + at(i, j).b);
    }, 16);
  } else if (mode == kScalar) {
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = 0; j < n; j++) db[0] = static_cast<float>(db[0] + at(i, j).b);
  } else {
    parallel_range(m, work, [&](int64_t r0, int64_t r1) {
      for (int64_t i = r0; i < r1; i++)
        for (int64_t j = 0; j < n; j++) {
          float& t = db[bidx(mode, i, j, n)];
          t = static_cast<float>(t + at(i, j).b);
        }
    });
  }
}

}  // namespace

void binary_f32(int op, const float* a, const float* b, float* y, int64_t m, int64_t n, int mode) {
  if (m == 0 || n == 0) return;  // b may be empty then
  switch (op) {
    case kAdd: binary_impl(a, b, y, m, n, mode, [](float u, float v) { return u + v; }); break;
    case kSub: binary_impl(a, b, y, m, n, mode, [](float u, float v) { return u - v; }); break;
    case kMul: binary_impl(a, b, y, m, n, mode, [](float u, float v) { return u * v; }); break;
    case kDiv: binary_impl(a, b, y, m, n, mode, [](float u, float v) { return u / v; }); break;
    case kMaximum: binary_impl(a, b, y, m, n, mode, [](float u, float v) { return u >= v ? u : v; }); break;
    case kMinimum: binary_impl(a, b, y, m, n, mode, [](float u, float v) { return u <= v ? u : v; }); break;
    default: break;
  }
}

void binary_backward_f32(int op, const float* a, const float* b, const float* dy, float* da,
                         float* db, int64_t m, int64_t n, int mode) {
  if (m == 0 || n == 0) return;
  switch (op) {
    case kAdd: binary_backward_impl<kAdd>(a, b, dy, da, db, m, n, mode); break;
    case kSub: binary_backward_impl<kSub>(a, b, dy, da, db, m, n, mode); break;
    case kMul: binary_backward_impl<kMul>(a, b, dy, da, db, m, n, mode); break;
    case kDiv: binary_backward_impl<kDiv>(a, b, dy, da, db, m, n, mode); break;
    case kMaximum: binary_backward_impl<kMaximum>(a, b, dy, da, db, m, n, mode); break;
    case kMinimum: binary_backward_impl<kMinimum>(a, b, dy, da, db, m, n, mode); break;
    default: break;
  }
}

void bce_logits_f32(const float* z, const float* t, float* out, int64_t n) {
  each(n, kTranscendental, [=](int64_t i) {
    const double x = z[i];
    out[i] = static_cast<float>(js_max0(x) - x * t[i] + std::log1p(std::exp(-std::fabs(x))));
  });
}

void bce_logits_backward_f32(const float* z, const float* t, const float* dy, float* dz, int64_t n) {
  each(n, kTranscendental, [=](int64_t i) {
    dz[i] = static_cast<float>(dz[i] + static_cast<double>(dy[i]) * (1.0 / (1.0 + std::exp(-static_cast<double>(z[i]))) - t[i]));
  });
}

}  // namespace dpgcn
