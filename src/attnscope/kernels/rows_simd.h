// The SIMD bodies of the row kernels (rows.h), written once over a vector-traits type V and
// instantiated by rows_avx2.cpp and rows_avx512.cpp (Highway-style: this header holds no
// intrinsics; V does). Tails use masked loads/stores, so there is no separate scalar tail code.
//
// V provides: reg, W (lanes), load, store, load_n(p, k, fill) (lanes >= k get fill), store_n,
// set1, add, sub, mul, div, fmadd(a, b, c) = a*b + c, max, abs, copysign(mag, sign),
// select_lt(x, t, a, b) = x < t ? a : b, hsum, hmax, sqrt, exp (0 below -87.3, NaN kept).
#pragma once
#include <algorithm>
#include <cmath>
#include <limits>

#include "attnscope/kernels/rows.h"

namespace attnscope::kernels::simd {

template <class V>
inline typename V::reg load(const float* p, int64_t k, float fill) {
  return k == V::W ? V::load(p) : V::load_n(p, k, fill);
}
template <class V>
inline void store(float* p, int64_t k, typename V::reg v) {
  if (k == V::W) V::store(p, v);
  else V::store_n(p, k, v);
}
// Calls f(j, k) for each chunk [j, j + k) of [0, n), k == W except in the last one.
template <class V, class F>
inline void chunks(int64_t n, F&& f) {
  int64_t j = 0;
  for (; j + V::W <= n; j += V::W) f(j, int64_t{V::W});
  if (j < n) f(j, n - j);
}

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

template <class V>
float row_max(const float* x, int64_t n) noexcept {
  auto m = V::set1(kNegInf);
  chunks<V>(n, [&](int64_t j, int64_t k) { m = V::max(m, load<V>(x + j, k, kNegInf)); });
  return V::hmax(m);
}

template <class V>
float sum(const float* x, int64_t n) noexcept {
  // Two accumulators: the add latency, not the loads, limits one chain.
  auto s0 = V::set1(0), s1 = V::set1(0);
  int64_t j = 0;
  for (; j + 2 * V::W <= n; j += 2 * V::W) {
    s0 = V::add(s0, V::load(x + j));
    s1 = V::add(s1, V::load(x + j + V::W));
  }
  for (; j < n; j += V::W) s0 = V::add(s0, load<V>(x + j, std::min<int64_t>(V::W, n - j), 0));
  return V::hsum(V::add(s0, s1));
}

template <class V>
float logsumexp(const float* x, int64_t n) noexcept {
  const float m = row_max<V>(x, n);
  if (m == kNegInf) return m;
  const auto vm = V::set1(m);
  auto s = V::set1(0);
  chunks<V>(n, [&](int64_t j, int64_t k) {
    s = V::add(s, V::exp(V::sub(load<V>(x + j, k, kNegInf), vm)));
  });
  return m + std::log(V::hsum(s));
}

template <class V>
void softmax(const float* x, float* y, int64_t n) noexcept {
  const float m = row_max<V>(x, n);
  if (m == kNegInf) {
    chunks<V>(n, [&](int64_t j, int64_t k) { store<V>(y + j, k, V::set1(0)); });
    return;
  }
  const auto vm = V::set1(m);
  auto s = V::set1(0);
  chunks<V>(n, [&](int64_t j, int64_t k) {
    const auto e = V::exp(V::sub(load<V>(x + j, k, kNegInf), vm));  // padded lanes: exp(-inf) = 0
    s = V::add(s, e);
    store<V>(y + j, k, e);
  });
  const auto inv = V::set1(1.0f / V::hsum(s));
  chunks<V>(n, [&](int64_t j, int64_t k) { store<V>(y + j, k, V::mul(load<V>(y + j, k, 0), inv)); });
}

template <class V>
void log_softmax(const float* x, float* y, int64_t n) noexcept {
  const float lse = logsumexp<V>(x, n);
  const auto shift = V::set1(lse == kNegInf ? 0.0f : lse);
  chunks<V>(n, [&](int64_t j, int64_t k) {
    store<V>(y + j, k, lse == kNegInf ? V::set1(0) : V::sub(load<V>(x + j, k, 0), shift));
  });
}

template <class V>
void softmax_backward(const float* y, const float* dy, float* dx, int64_t n) noexcept {
  auto acc = V::set1(0);
  chunks<V>(n, [&](int64_t j, int64_t k) {
    acc = V::fmadd(load<V>(y + j, k, 0), load<V>(dy + j, k, 0), acc);
  });
  const auto dot = V::set1(V::hsum(acc));
  chunks<V>(n, [&](int64_t j, int64_t k) {
    store<V>(dx + j, k, V::mul(load<V>(y + j, k, 0), V::sub(load<V>(dy + j, k, 0), dot)));
  });
}

template <class V>
void log_softmax_backward(const float* y, const float* dy, float* dx, int64_t n) noexcept {
  // A fully masked row was written as zeros (see ref::log_softmax_backward).
  bool masked = n > 1;
  for (int64_t j = 0; j < n && masked; ++j) masked = y[j] == 0.0f;
  if (masked) {
    chunks<V>(n, [&](int64_t j, int64_t k) { store<V>(dx + j, k, V::set1(0)); });
    return;
  }
  const auto s = V::set1(sum<V>(dy, n));
  chunks<V>(n, [&](int64_t j, int64_t k) {
    const auto p = V::exp(load<V>(y + j, k, 0));
    store<V>(dx + j, k, V::sub(load<V>(dy + j, k, 0), V::mul(p, s)));
  });
}

template <class V>
void exp_affine(const float* x, float lse, float c, float b, float* dx, int64_t n) noexcept {
  const auto vl = V::set1(lse), vc = V::set1(c), vb = V::set1(b);
  chunks<V>(n, [&](int64_t j, int64_t k) {
    store<V>(dx + j, k, V::fmadd(vc, V::exp(V::sub(load<V>(x + j, k, 0), vl)), vb));
  });
}

template <class V>
void layer_norm(const float* x, const float* gamma, const float* beta, float eps, float* y,
                float* mean, float* rstd, int64_t n) noexcept {
  const float mu = sum<V>(x, n) / float(n);
  const auto vmu = V::set1(mu);
  auto acc = V::set1(0);
  chunks<V>(n, [&](int64_t j, int64_t k) {
    const auto d = V::sub(load<V>(x + j, k, mu), vmu);  // padded lanes: d = 0
    acc = V::fmadd(d, d, acc);
  });
  const float rs = 1.0f / std::sqrt(V::hsum(acc) / float(n) + eps);
  const auto vrs = V::set1(rs);
  chunks<V>(n, [&](int64_t j, int64_t k) {
    const auto xhat = V::mul(V::sub(load<V>(x + j, k, 0), vmu), vrs);
    store<V>(y + j, k, V::fmadd(xhat, load<V>(gamma + j, k, 0), load<V>(beta + j, k, 0)));
  });
  *mean = mu;
  *rstd = rs;
}

template <class V>
void layer_norm_backward(const float* x, const float* gamma, float mean, float rstd,
                         const float* dy, float* dx, float* dgamma, float* dbeta,
                         int64_t n) noexcept {
  const auto vmu = V::set1(mean), vrs = V::set1(rstd);
  auto a_dxhat = V::set1(0), a_dxhat_xhat = V::set1(0);
  chunks<V>(n, [&](int64_t j, int64_t k) {
    const auto xhat = V::mul(V::sub(load<V>(x + j, k, 0), vmu), vrs);
    const auto dxhat = V::mul(load<V>(dy + j, k, 0), load<V>(gamma + j, k, 0));
    a_dxhat = V::add(a_dxhat, dxhat);
    a_dxhat_xhat = V::fmadd(dxhat, xhat, a_dxhat_xhat);
  });
  const auto m1 = V::set1(V::hsum(a_dxhat) / float(n));
  const auto m2 = V::set1(V::hsum(a_dxhat_xhat) / float(n));
  chunks<V>(n, [&](int64_t j, int64_t k) {
    const auto xhat = V::mul(V::sub(load<V>(x + j, k, 0), vmu), vrs);
    const auto g = load<V>(dy + j, k, 0);
    const auto dxhat = V::mul(g, load<V>(gamma + j, k, 0));
    // dx = rstd (dxhat - m1 - xhat m2)
    store<V>(dx + j, k, V::mul(vrs, V::sub(V::sub(dxhat, m1), V::mul(xhat, m2))));
    store<V>(dgamma + j, k, V::fmadd(g, xhat, load<V>(dgamma + j, k, 0)));
    store<V>(dbeta + j, k, V::add(g, load<V>(dbeta + j, k, 0)));
  });
}

template <class V>
void rms_norm(const float* x, const float* gamma, float eps, float* y, float* rstd,
              int64_t n) noexcept {
  auto acc = V::set1(0);
  chunks<V>(n, [&](int64_t j, int64_t k) {
    const auto v = load<V>(x + j, k, 0);
    acc = V::fmadd(v, v, acc);
  });
  const float rs = 1.0f / std::sqrt(V::hsum(acc) / float(n) + eps);
  const auto vrs = V::set1(rs);
  chunks<V>(n, [&](int64_t j, int64_t k) {
    store<V>(y + j, k, V::mul(V::mul(load<V>(x + j, k, 0), vrs), load<V>(gamma + j, k, 0)));
  });
  *rstd = rs;
}

template <class V>
void rms_norm_backward(const float* x, const float* gamma, float rstd, const float* dy,
                       float* dx, float* dgamma, int64_t n) noexcept {
  const auto vrs = V::set1(rstd);
  auto acc = V::set1(0);
  chunks<V>(n, [&](int64_t j, int64_t k) {
    const auto dxhat = V::mul(load<V>(dy + j, k, 0), load<V>(gamma + j, k, 0));
    acc = V::fmadd(dxhat, V::mul(load<V>(x + j, k, 0), vrs), acc);
  });
  const auto m = V::set1(V::hsum(acc) / float(n));
  chunks<V>(n, [&](int64_t j, int64_t k) {
    const auto g = load<V>(dy + j, k, 0);
    const auto xhat = V::mul(load<V>(x + j, k, 0), vrs);
    const auto dxhat = V::mul(g, load<V>(gamma + j, k, 0));
    store<V>(dx + j, k, V::mul(vrs, V::sub(dxhat, V::mul(xhat, m))));
    store<V>(dgamma + j, k, V::fmadd(g, xhat, load<V>(dgamma + j, k, 0)));
  });
}

template <class V>
void exp_n(const float* x, float* y, int64_t n) noexcept {
  chunks<V>(n, [&](int64_t j, int64_t k) { store<V>(y + j, k, V::exp(load<V>(x + j, k, 0))); });
}

// tanh: Cephes tanhf. |x| < 0.625: x + x^3 P(x^2) (no cancellation near 0);
// otherwise sign(x) (1 - 2 / (exp(2|x|) + 1)), which saturates to +-1 without overflow.
template <class V>
inline typename V::reg tanh_reg(typename V::reg v) {
  const auto one = V::set1(1.f), two = V::set1(2.f);
  const auto a = V::abs(v);
  const auto z = V::mul(v, v);
  auto p = V::set1(-5.70498872745e-3f);
  p = V::fmadd(p, z, V::set1(2.06390887954e-2f));
  p = V::fmadd(p, z, V::set1(-5.37397155531e-2f));
  p = V::fmadd(p, z, V::set1(1.33314422036e-1f));
  p = V::fmadd(p, z, V::set1(-3.33332819422e-1f));
  const auto small = V::fmadd(V::mul(p, z), v, v);
  const auto big = V::sub(one, V::div(two, V::add(V::exp(V::add(a, a)), one)));
  return V::select_lt(a, V::set1(0.625f), small, V::copysign(big, v));
}

template <class V>
void tanh_n(const float* x, float* y, int64_t n) noexcept {
  chunks<V>(n, [&](int64_t j, int64_t k) { store<V>(y + j, k, tanh_reg<V>(load<V>(x + j, k, 0))); });
}

// sigmoid(x) = 1 / (1 + exp(-x)); exp(-x) saturates (clamped exp), so no inf/inf.
template <class V>
void sigmoid_n(const float* x, float* y, int64_t n) noexcept {
  const auto one = V::set1(1.f), zero = V::set1(0.f);
  chunks<V>(n, [&](int64_t j, int64_t k) {
    const auto v = load<V>(x + j, k, 0);
    store<V>(y + j, k, V::div(one, V::add(one, V::exp(V::sub(zero, v)))));
  });
}

template <class V>
void adam(float* p, const float* g, float* m, float* v, int64_t n, const AdamCoeffs& c) noexcept {
  const auto b1 = V::set1(c.beta1), b2 = V::set1(c.beta2), nb1 = V::set1(1 - c.beta1), nb2 = V::set1(1 - c.beta2);
  const auto cwd = V::set1(c.coupled_wd), dwd = V::set1(-c.decoupled_lr_wd), eps = V::set1(c.eps);
  const auto step = V::set1(c.step_size), ibc2 = V::set1(c.inv_bc2_sqrt);
  chunks<V>(n, [&](int64_t j, int64_t k) {
    const auto pj = load<V>(p + j, k, 0);
    const auto gj = V::fmadd(cwd, pj, load<V>(g + j, k, 0));
    const auto mj = V::fmadd(b1, load<V>(m + j, k, 0), V::mul(nb1, gj));
    const auto vj = V::fmadd(b2, load<V>(v + j, k, 0), V::mul(V::mul(nb2, gj), gj));
    const auto den = V::fmadd(V::sqrt(vj), ibc2, eps);
    store<V>(m + j, k, mj);
    store<V>(v + j, k, vj);
    store<V>(p + j, k, V::sub(V::fmadd(dwd, pj, pj), V::div(V::mul(step, mj), den)));
  });
}

// Padded lanes read q = k = v = 0: tanh(0) v = 0 adds nothing, and their g = 0 is stored nowhere.
template <class V>
void additive_score(const float* q, const float* keys, const float* v, float* e, int64_t n, int64_t a) noexcept {
  for (int64_t j = 0; j < n; ++j) {
    const float* kj = keys + j * a;
    auto acc = V::set1(0);
    chunks<V>(a, [&](int64_t i, int64_t k) {
      const auto h = tanh_reg<V>(V::add(load<V>(q + i, k, 0), load<V>(kj + i, k, 0)));
      acc = V::fmadd(load<V>(v + i, k, 0), h, acc);
    });
    e[j] = V::hsum(acc);
  }
}

template <class V>
void additive_score_backward(const float* q, const float* keys, const float* v, const float* de, float* dq,
                             float* dkeys, float* dv, int64_t n, int64_t a) noexcept {
  const auto one = V::set1(1.f);
  chunks<V>(a, [&](int64_t i, int64_t k) { store<V>(dq + i, k, V::set1(0)); });
  for (int64_t j = 0; j < n; ++j) {
    const float* kj = keys + j * a;
    float* dkj = dkeys + j * a;
    const auto d = V::set1(de[j]);
    chunks<V>(a, [&](int64_t i, int64_t k) {
      const auto h = tanh_reg<V>(V::add(load<V>(q + i, k, 0), load<V>(kj + i, k, 0)));
      const auto g = V::mul(V::mul(d, load<V>(v + i, k, 0)), V::sub(one, V::mul(h, h)));
      store<V>(dv + i, k, V::fmadd(d, h, load<V>(dv + i, k, 0)));
      store<V>(dq + i, k, V::add(load<V>(dq + i, k, 0), g));
      store<V>(dkj + i, k, V::add(load<V>(dkj + i, k, 0), g));
    });
  }
}

template <class V>
RowKernelTable<float> make_table() {
  return {softmax<V>,   log_softmax<V>,         softmax_backward<V>, log_softmax_backward<V>,
          logsumexp<V>, sum<V>,                 exp_affine<V>,       layer_norm<V>,
          layer_norm_backward<V>, rms_norm<V>,  rms_norm_backward<V>, exp_n<V>,
          tanh_n<V>,    sigmoid_n<V>,           adam<V>,
          additive_score<V>, additive_score_backward<V>};
}

}  // namespace attnscope::kernels::simd
