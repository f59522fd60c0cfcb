// Unary elementwise ops. Each: forward y = f(x), and its backward dx = dy * f'(x) expressed
// through whichever of x or y makes f' cheapest (saved as a detached tensor).
#include <cmath>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/autograd/ops/elementwise.h"
#include "attnscope/core/error.h"
#include "attnscope/kernels/gelu.h"
#include "attnscope/kernels/rows.h"

namespace attnscope::autograd {
const OpDef kOp_neg{"neg"};
const OpDef kOp_scale{"scale"};
const OpDef kOp_add_scalar{"add_scalar"};
const OpDef kOp_exp{"exp"};
const OpDef kOp_log{"log"};
const OpDef kOp_sqrt{"sqrt"};
const OpDef kOp_pow{"pow"};
const OpDef kOp_tanh{"tanh"};
const OpDef kOp_sigmoid{"sigmoid"};
const OpDef kOp_relu{"relu"};
const OpDef kOp_gelu_tanh{"gelu_tanh"};
const OpDef kOp_gelu_erf{"gelu_erf"};
}  // namespace attnscope::autograd

namespace attnscope::ops {

using autograd::record;
using detail::map_binary_same;
using detail::map_unary;

namespace {
// Vectorized float32 kernels over n contiguous elements (kernels/rows.h, kernels/gelu.h).
using FastForward = void (*)(const float* x, float* y, int64_t n) noexcept;
using FastBackward = void (*)(const float* saved, const float* dy, float* dx, int64_t n) noexcept;

// y = f(x) with dx = dy * dfdx(saved, dy) where saved is x or y (chosen per op). For float32,
// `fast` (when given) computes the forward and `fast_backward` (when given) dx from saved and dy.
template <class F, class DF>
Tensor unary(const autograd::OpDef& op, const Tensor& x, F f, DF df, bool save_output, FastForward fast = nullptr,
             FastBackward fast_backward = nullptr) {
  if (!x.defined()) throw ShapeError(std::string(op.name) + ": undefined tensor");
  Tensor y;
  if (fast && x.dtype() == DType::f32) {
    const Tensor xc = x.contiguous();
    y = Tensor::empty(x.shape(), DType::f32);
    const float* px = xc.data<float>();
    float* py = y.data<float>();
    parallel_for(0, x.numel(), 16384, [&](int64_t lo, int64_t hi) { fast(px + lo, py + lo, hi - lo); });
  } else {
    y = dispatch_dtype(x.dtype(), [&]<class T>() { return map_unary<T>(x, [&](T v) { return f(v); }); });
  }
  record(op, {x}, y, [saved = (save_output ? y : x).detach(), df, fast_backward](const Tensor& g) {
    if (fast_backward && saved.dtype() == DType::f32 && g.dtype() == DType::f32) {
      const Tensor sc = saved.contiguous(), gc = g.contiguous();
      Tensor dx = Tensor::empty(saved.shape(), DType::f32);
      const float* ps = sc.data<float>();
      const float* pg = gc.data<float>();
      float* pd = dx.data<float>();
      parallel_for(0, saved.numel(), 16384, [&](int64_t lo, int64_t hi) { fast_backward(ps + lo, pg + lo, pd + lo, hi - lo); });
      return std::vector<Tensor>{dx};
    }
    Tensor dx = dispatch_dtype(g.dtype(), [&]<class T>() {
      return map_binary_same<T>(saved, g, [&](T s, T gv) { return gv * df(s); });
    });
    return std::vector<Tensor>{dx};
  });
  return y;
}
constexpr double kSqrt2OverPi = 0.7978845608028654;
constexpr double kInvSqrt2 = 0.7071067811865476;
constexpr double kInvSqrt2Pi = 0.3989422804014327;
}  // namespace

Tensor neg(const Tensor& x) {
  return unary(autograd::kOp_neg, x, [](auto v) { return -v; }, [](auto) { return -1.0; }, false);
}

Tensor scale(const Tensor& x, double s) {
  return unary(autograd::kOp_scale, x, [s](auto v) { return static_cast<decltype(v)>(s * v); },
               [s](auto) { return s; }, false);
}

Tensor add_scalar(const Tensor& x, double s) {
  return unary(autograd::kOp_add_scalar, x, [s](auto v) { return static_cast<decltype(v)>(v + s); },
               [](auto) { return 1.0; }, false);
}

// y = e^x; dx = dy * y
Tensor exp(const Tensor& x) {
  return unary(autograd::kOp_exp, x, [](auto v) { return std::exp(v); }, [](auto y) { return y; }, true,
               kernels::row_kernels().exp);
}

// y = ln x; dx = dy / x
Tensor log(const Tensor& x) {
  return unary(autograd::kOp_log, x, [](auto v) { return std::log(v); }, [](auto v) { return 1 / v; }, false);
}

// y = sqrt x; dx = dy / (2 y)
Tensor sqrt(const Tensor& x) {
  return unary(autograd::kOp_sqrt, x, [](auto v) { return std::sqrt(v); },
               [](auto y) { return 0.5 / y; }, true);
}

// y = x^p; dx = dy * p x^(p-1)
Tensor pow(const Tensor& x, double p) {
  return unary(autograd::kOp_pow, x, [p](auto v) { return static_cast<decltype(v)>(std::pow(v, p)); },
               [p](auto v) { return p * std::pow(v, p - 1); }, false);
}

// y = tanh x; dx = dy (1 - y^2)
Tensor tanh(const Tensor& x) {
  return unary(autograd::kOp_tanh, x, [](auto v) { return std::tanh(v); },
               [](auto y) { return 1 - y * y; }, true, kernels::row_kernels().tanh);
}

// y = 1 / (1 + e^-x); dx = dy y (1 - y)
Tensor sigmoid(const Tensor& x) {
  return unary(autograd::kOp_sigmoid, x,
               [](auto v) {
                 using T = decltype(v);
                 // Split by sign so exp never overflows.
                 if (v >= 0) return T(1) / (T(1) + std::exp(-v));
                 const T e = std::exp(v);
                 return e / (T(1) + e);
               },
               [](auto y) { return y * (1 - y); }, true, kernels::row_kernels().sigmoid);
}

// y = max(x, 0); dx = dy [x > 0]. float32 runs through plain loops the compiler vectorizes (the
// generic path's per-element double derivative was ~6% of a 64 px captioner step). NaN: y = 0.
namespace {
void relu_f32(const float* x, float* y, int64_t n) noexcept {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}
// dy is loaded unconditionally: a conditional load compiles to a branch per element, which the
// random signs of activations mispredict half the time.
void relu_backward_f32(const float* x, const float* dy, float* dx, int64_t n) noexcept {
  for (int64_t i = 0; i < n; ++i) {
    const float g = dy[i];
    dx[i] = x[i] > 0.0f ? g : 0.0f;
  }
}
}  // namespace

Tensor relu(const Tensor& x) {
  return unary(autograd::kOp_relu, x, [](auto v) { return v > 0 ? v : decltype(v)(0); },
               [](auto v) { return v > 0 ? 1.0 : 0.0; }, false, relu_f32, relu_backward_f32);
}

// y = 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3)
// dx = dy [0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) sqrt(2/pi) (1 + 3 * 0.044715 x^2)]
// float32 runs both directions through kernels/gelu.h (SIMD tanh): with std::tanh the GELU was
// ~28% of a small Transformer's training step.
Tensor gelu_tanh(const Tensor& x) {
  return unary(autograd::kOp_gelu_tanh, x,
               [](auto v) {
                 using T = decltype(v);
                 return static_cast<T>(0.5 * v * (1 + std::tanh(kSqrt2OverPi * (v + 0.044715 * v * v * v))));
               },
               [](auto v) {
                 const double t = std::tanh(kSqrt2OverPi * (v + 0.044715 * v * v * v));
                 return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * kSqrt2OverPi * (1 + 3 * 0.044715 * v * v);
               },
               false, kernels::gelu_tanh, kernels::gelu_tanh_backward);
}

// y = x Phi(x); dx = dy (Phi(x) + x phi(x))
Tensor gelu_erf(const Tensor& x) {
  return unary(autograd::kOp_gelu_erf, x,
               [](auto v) {
                 using T = decltype(v);
                 return static_cast<T>(0.5 * v * (1 + std::erf(v * kInvSqrt2)));
               },
               [](auto v) {
                 return 0.5 * (1 + std::erf(v * kInvSqrt2)) + v * kInvSqrt2Pi * std::exp(-0.5 * v * v);
               },
               false);
}

}  // namespace attnscope::ops
