// Scalar reference of the row kernels (rows.h) and the run-time choice of the float32 table.
// Written for clarity: the SIMD files must agree with these within float rounding.
#include "attnscope/kernels/rows.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope::kernels {
namespace ref {

template <class T>
T row_max(const T* x, int64_t n) noexcept {
  T m = -std::numeric_limits<T>::infinity();
  for (int64_t j = 0; j < n; ++j) m = std::max(m, x[j]);
  return m;
}

template <class T>
T sum(const T* x, int64_t n) noexcept {
  T s = 0;
  for (int64_t j = 0; j < n; ++j) s += x[j];
  return s;
}

template <class T>
T logsumexp(const T* x, int64_t n) noexcept {
  const T m = row_max(x, n);
  if (m == -std::numeric_limits<T>::infinity()) return m;  // fully masked
  T s = 0;
  for (int64_t j = 0; j < n; ++j) s += std::exp(x[j] - m);
  return m + std::log(s);
}

template <class T>
void softmax(const T* x, T* y, int64_t n) noexcept {
  const T m = row_max(x, n);
  if (m == -std::numeric_limits<T>::infinity()) {
    std::fill(y, y + n, T(0));
    return;
  }
  T s = 0;
  for (int64_t j = 0; j < n; ++j) s += (y[j] = std::exp(x[j] - m));
  const T inv = T(1) / s;
  for (int64_t j = 0; j < n; ++j) y[j] *= inv;
}

template <class T>
void log_softmax(const T* x, T* y, int64_t n) noexcept {
  const T lse = logsumexp(x, n);
  if (lse == -std::numeric_limits<T>::infinity()) {
    std::fill(y, y + n, T(0));
    return;
  }
  for (int64_t j = 0; j < n; ++j) y[j] = x[j] - lse;
}

template <class T>
void softmax_backward(const T* y, const T* dy, T* dx, int64_t n) noexcept {
  T dot = 0;
  for (int64_t j = 0; j < n; ++j) dot += y[j] * dy[j];
  for (int64_t j = 0; j < n; ++j) dx[j] = y[j] * (dy[j] - dot);
}

template <class T>
void log_softmax_backward(const T* y, const T* dy, T* dx, int64_t n) noexcept {
  // A fully masked row was written as zeros: its exp(y) would be 1, but its gradient is 0.
  bool masked = true;
  for (int64_t j = 0; j < n && masked; ++j) masked = y[j] == T(0);
  if (masked && n > 1) {
    std::fill(dx, dx + n, T(0));
    return;
  }
  const T s = sum(dy, n);
  for (int64_t j = 0; j < n; ++j) dx[j] = dy[j] - std::exp(y[j]) * s;
}

template <class T>
void exp_affine(const T* x, T lse, T c, T b, T* dx, int64_t n) noexcept {
  for (int64_t j = 0; j < n; ++j) dx[j] = c * std::exp(x[j] - lse) + b;
}

template <class T>
void layer_norm(const T* x, const T* gamma, const T* beta, T eps, T* y, T* mean, T* rstd,
                int64_t n) noexcept {
  // Two passes (mean, then centred squares): stable where E[x^2] - E[x]^2 cancels.
  const T mu = sum(x, n) / T(n);
  T var = 0;
  for (int64_t j = 0; j < n; ++j) var += (x[j] - mu) * (x[j] - mu);
  var /= T(n);
  const T rs = T(1) / std::sqrt(var + eps);
  for (int64_t j = 0; j < n; ++j) y[j] = (x[j] - mu) * rs * gamma[j] + beta[j];
  *mean = mu;
  *rstd = rs;
}

template <class T>
void layer_norm_backward(const T* x, const T* gamma, T mean, T rstd, const T* dy, T* dx,
                         T* dgamma, T* dbeta, int64_t n) noexcept {
  T mean_dxhat = 0, mean_dxhat_xhat = 0;
  for (int64_t j = 0; j < n; ++j) {
    const T xhat = (x[j] - mean) * rstd, dxhat = dy[j] * gamma[j];
    mean_dxhat += dxhat;
    mean_dxhat_xhat += dxhat * xhat;
  }
  mean_dxhat /= T(n);
  mean_dxhat_xhat /= T(n);
  for (int64_t j = 0; j < n; ++j) {
    const T xhat = (x[j] - mean) * rstd, dxhat = dy[j] * gamma[j];
    dx[j] = rstd * (dxhat - mean_dxhat - xhat * mean_dxhat_xhat);
    dgamma[j] += dy[j] * xhat;
    dbeta[j] += dy[j];
  }
}

template <class T>
void rms_norm(const T* x, const T* gamma, T eps, T* y, T* rstd, int64_t n) noexcept {
  T ss = 0;
  for (int64_t j = 0; j < n; ++j) ss += x[j] * x[j];
  const T rs = T(1) / std::sqrt(ss / T(n) + eps);
  for (int64_t j = 0; j < n; ++j) y[j] = x[j] * rs * gamma[j];
  *rstd = rs;
}

template <class T>
void rms_norm_backward(const T* x, const T* gamma, T rstd, const T* dy, T* dx, T* dgamma,
                       int64_t n) noexcept {
  T mean_dxhat_xhat = 0;
  for (int64_t j = 0; j < n; ++j) mean_dxhat_xhat += dy[j] * gamma[j] * x[j] * rstd;
  mean_dxhat_xhat /= T(n);
  for (int64_t j = 0; j < n; ++j) {
    const T xhat = x[j] * rstd;
    dx[j] = rstd * (dy[j] * gamma[j] - xhat * mean_dxhat_xhat);
    dgamma[j] += dy[j] * xhat;
  }
}

template <class T>
void exp(const T* x, T* y, int64_t n) noexcept {
  for (int64_t j = 0; j < n; ++j) y[j] = std::exp(x[j]);
}

template <class T>
void tanh(const T* x, T* y, int64_t n) noexcept {
  for (int64_t j = 0; j < n; ++j) y[j] = std::tanh(x[j]);
}

template <class T>
void sigmoid(const T* x, T* y, int64_t n) noexcept {
  // Split by sign so that exp never overflows.
  for (int64_t j = 0; j < n; ++j) {
    const T v = x[j];
    if (v >= 0) {
      y[j] = T(1) / (T(1) + std::exp(-v));
    } else {
      const T e = std::exp(v);
      y[j] = e / (T(1) + e);
    }
  }
}

inline void adam(float* p, const float* g, float* m, float* v, int64_t n, const AdamCoeffs& c) noexcept {
  for (int64_t j = 0; j < n; ++j) {
    const float gj = std::fma(c.coupled_wd, p[j], g[j]);
    const float pj = std::fma(-c.decoupled_lr_wd, p[j], p[j]);
    m[j] = std::fma(c.beta1, m[j], (1 - c.beta1) * gj);
    v[j] = std::fma(c.beta2, v[j], (1 - c.beta2) * gj * gj);
    p[j] = pj - c.step_size * m[j] / std::fma(std::sqrt(v[j]), c.inv_bc2_sqrt, c.eps);
  }
}

template <class T>
void additive_score(const T* q, const T* keys, const T* v, T* e, int64_t n, int64_t a) noexcept {
  for (int64_t j = 0; j < n; ++j) {
    T s = 0;
    for (int64_t i = 0; i < a; ++i) s += v[i] * std::tanh(q[i] + keys[j * a + i]);
    e[j] = s;
  }
}

template <class T>
void additive_score_backward(const T* q, const T* keys, const T* v, const T* de, T* dq, T* dkeys, T* dv,
                             int64_t n, int64_t a) noexcept {
  for (int64_t i = 0; i < a; ++i) dq[i] = 0;
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < a; ++i) {
      const T h = std::tanh(q[i] + keys[j * a + i]);
      const T g = de[j] * v[i] * (T(1) - h * h);
      dq[i] += g;
      dkeys[j * a + i] += g;
      dv[i] += de[j] * h;
    }
}

}  // namespace ref

template <class T>
const RowKernelTable<T>& ref_row_kernels() {
  static const RowKernelTable<T> table{
      ref::softmax<T>,    ref::log_softmax<T>, ref::softmax_backward<T>,
      ref::log_softmax_backward<T>, ref::logsumexp<T>, ref::sum<T>,
      ref::exp_affine<T>, ref::layer_norm<T>,  ref::layer_norm_backward<T>,
      ref::rms_norm<T>,   ref::rms_norm_backward<T>, ref::exp<T>,
      ref::tanh<T>,       ref::sigmoid<T>,             ref::adam,
      ref::additive_score<T>, ref::additive_score_backward<T>};
  return table;
}
template const RowKernelTable<float>& ref_row_kernels<float>();
template const RowKernelTable<double>& ref_row_kernels<double>();

const RowKernelTable<float>& row_kernels(Isa isa) {
  switch (isa) {
    case Isa::avx512: return row_kernels_avx512();
    case Isa::avx2: return row_kernels_avx2();
    case Isa::scalar: break;
  }
  return ref_row_kernels<float>();
}

const RowKernelTable<float>& row_kernels() { return row_kernels(active_isa()); }

}  // namespace attnscope::kernels
