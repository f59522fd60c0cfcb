// Row kernels: softmax, log_softmax, logsumexp, layer_norm and rms_norm over one contiguous row
// of n elements (the last dim), and the elementwise activations exp, tanh, sigmoid. Callers (autograd/ops) split rows over threads with
// parallel_for; the kernels never make threads and are noexcept.
//
//  - ref::*<T>: the readable scalar reference, templated so float64 gradchecks use it too.
//  - row_kernels(): the float32 table for the active ISA (kernels/isa.h), picked at run time
//    between rows.cpp (scalar = ref<float>), rows_avx2.cpp and rows_avx512.cpp.
//
//  - additive_score(_backward): Bahdanau's score of one query against n keys, tanh fused in, so
//    the [queries, keys, a] tanh tensor is never stored (with the key projection recomputed per
//    word, it cost ~11% of a 64 px captioner step). Callers split queries over threads.
//  - adam: the Adam/AdamW update of n parameters, elementwise like the activations (an optimizer
//    step over a 2M-parameter embedding was 28% of a sentiment training step as a scalar loop).
//
// Conventions: a row whose entries are all -inf is "fully masked": softmax / log_softmax give 0
// there (not NaN) and logsumexp gives -inf. A NaN or +inf in a row makes the row's output NaN.
// Backward kernels write dx (=) and accumulate parameter gradients (+=: callers zero them).
#pragma once
#include <cstdint>

#include "attnscope/kernels/isa.h"

namespace attnscope::kernels {

// One row each; pointers to n contiguous elements.
// One Adam step's coefficients (PyTorch's formulation, bias corrections folded in):
//   g' = g + coupled_wd p;  p = p - decoupled_lr_wd p;  m = b1 m + (1 - b1) g';  v = b2 v + (1 - b2) g'^2
//   p -= step_size m / (sqrt(v) inv_bc2_sqrt + eps)
// Adam uses coupled_wd = wd, decoupled_lr_wd = 0; AdamW the other way round.
struct AdamCoeffs {
  float beta1, beta2, eps, coupled_wd, decoupled_lr_wd, step_size, inv_bc2_sqrt;
};

template <class T>
struct RowKernelTable {
  // y = exp(x - lse(x)); fully masked row -> 0.
  void (*softmax)(const T* x, T* y, int64_t n) noexcept;
  // y = x - lse(x); fully masked row -> 0.
  void (*log_softmax)(const T* x, T* y, int64_t n) noexcept;
  // dx = y * (dy - sum(y * dy))
  void (*softmax_backward)(const T* y, const T* dy, T* dx, int64_t n) noexcept;
  // dx = dy - exp(y) * sum(dy)   (y = log_softmax output; exp(y) = 0 on a fully masked row)
  void (*log_softmax_backward)(const T* y, const T* dy, T* dx, int64_t n) noexcept;
  // log(sum(exp(x))), stable; -inf for a fully masked row.
  T (*logsumexp)(const T* x, int64_t n) noexcept;
  // sum(x)
  T (*sum)(const T* x, int64_t n) noexcept;
  // dx = c * exp(x - lse) + b   (cross-entropy backward: softmax from the saved lse)
  void (*exp_affine)(const T* x, T lse, T c, T b, T* dx, int64_t n) noexcept;
  // y = (x - mean) * rstd * gamma + beta; writes *mean, *rstd = 1/sqrt(var + eps).
  void (*layer_norm)(const T* x, const T* gamma, const T* beta, T eps, T* y, T* mean,
                     T* rstd, int64_t n) noexcept;
  // xhat = (x - mean) rstd, dxhat = dy gamma:
  // dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)); dgamma += dy xhat; dbeta += dy.
  void (*layer_norm_backward)(const T* x, const T* gamma, T mean, T rstd, const T* dy, T* dx,
                              T* dgamma, T* dbeta, int64_t n) noexcept;
  // y = x * rstd * gamma, rstd = 1/sqrt(mean(x^2) + eps); writes *rstd.
  void (*rms_norm)(const T* x, const T* gamma, T eps, T* y, T* rstd, int64_t n) noexcept;
  // xhat = x rstd, dxhat = dy gamma: dx = rstd (dxhat - xhat mean(dxhat xhat)); dgamma += dy xhat.
  void (*rms_norm_backward)(const T* x, const T* gamma, T rstd, const T* dy, T* dx, T* dgamma,
                            int64_t n) noexcept;
  // Elementwise activations over n elements (the GRU/LSTM gates and additive-attention scores
  // spend most of their time here): y = exp(x), tanh(x), 1 / (1 + exp(-x)). Max error ~2 ulp of
  // 1 (absolute 2e-7 for tanh/sigmoid); NaN stays NaN.
  void (*exp)(const T* x, T* y, int64_t n) noexcept;
  void (*tanh)(const T* x, T* y, int64_t n) noexcept;
  void (*sigmoid)(const T* x, T* y, int64_t n) noexcept;
  // Updates p, m, v in place from g (float32 parameters and state; T is unused beyond the table).
  void (*adam)(float* p, const float* g, float* m, float* v, int64_t n, const AdamCoeffs& c) noexcept;
  // One query q [a] against n keys [n, a] (row stride a): e[j] = sum_i v[i] tanh(q[i] + k[j, i]).
  void (*additive_score)(const T* q, const T* keys, const T* v, T* e, int64_t n, int64_t a) noexcept;
  // Its backward for that query, tanh recomputed: with h = tanh(q + k_j), g_j = de[j] v (1 - h^2):
  // dq = sum_j g_j;  dkeys[j] += g_j;  dv += sum_j de[j] h.
  void (*additive_score_backward)(const T* q, const T* keys, const T* v, const T* de, T* dq, T* dkeys,
                                  T* dv, int64_t n, int64_t a) noexcept;
};

// The scalar reference, for float and double.
template <class T>
const RowKernelTable<T>& ref_row_kernels();

// float32 kernels for a given ISA (must be supported) / for active_isa().
const RowKernelTable<float>& row_kernels(Isa isa);
const RowKernelTable<float>& row_kernels();

// The table for T: float -> active ISA, double -> reference.
template <class T>
const RowKernelTable<T>& row_kernels_for() {
  if constexpr (sizeof(T) == 4) return row_kernels();
  else return ref_row_kernels<T>();
}

// Per-ISA tables (defined in rows_avx2.cpp / rows_avx512.cpp).
const RowKernelTable<float>& row_kernels_avx2();
const RowKernelTable<float>& row_kernels_avx512();

}  // namespace attnscope::kernels
