// Scaled dot-product attention (Vaswani et al. 2017) with every knob the dot-product mechanisms
// share: masks (causal, padding / variable lengths, sliding window, additive), grouped-query
// heads, additive biases (ALiBi, learned relative position, user prior), temperature, and the
// choice of normalizer (softmax, sparsemax, 1.5-entmax).
//
//   S = q k^T * scale / temperature + bias + mask      [B, NH, T, N]
//   P = normalize(S)  (softmax | sparsemax | entmax15, over N)
//   O = P v                                             [B, NH, T, HS]
//
// Two paths compute it:
//   fused      the FlashAttention-2 style kernel (fused_attention.h): f32, softmax, constant
//              bias; never stores P unless a recorder keeps dense weights. The default.
//   reference  GEMM + normalizer + GEMM through autograd ops: any dtype, any normalizer, a bias
//              that needs a gradient (T5 relative bias). Always available; tests compare the two.
#pragma once
#include <cstdint>
#include <vector>

#include "attnscope/attention/mask.h"
#include "attnscope/attention/normalizer.h"
#include "attnscope/attention/recorder.h"
#include "attnscope/attention/result.h"

namespace attnscope::attention {

enum class Backend : uint8_t { automatic, fused, reference };

struct DotProductOptions {
  AttentionMask mask;
  Tensor bias;                      // additive, broadcastable to [B, NH, T, N]; may need grad
  std::vector<float> alibi_slopes;  // [NH] or empty: adds -m_h |p(i) - j|
  double scale = 0;                 // 0: 1 / sqrt(HS)
  double temperature = 1;           // > 0; divides the scores (sharper below 1)
  Normalizer normalizer = Normalizer::softmax;
  Backend backend = Backend::automatic;
  bool need_weights = false;        // return P even when the fused path runs (costs T x N)
  Extras extras;                    // attached to the record when a recorder is set
  // Multiplicative soft mask broadcastable to [B, NH, T, N] (adaptive span), differentiable:
  // P <- P m / sum(P m). Reference path only.
  Tensor soft_mask;
};

// q [B, NH, T, HS], k, v [B, NKV, N, HS] with NH % NKV == 0 (query head h reads kv head
// h / (NH / NKV)). Returns context [B, NH, T, HS] and, on the reference path or when asked,
// weights [B, NH, T, N]. `op` names the calling mechanism in errors.
// When `recorder` is set, the call is recorded under `site` (on the fused path the kernel writes
// the keep mode's buffers directly). Errors: ShapeError for shapes/masks that disagree,
// ValueError for non-finite scores, ConfigError for a bad temperature or forced backend.
AttentionResult dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                      const DotProductOptions& opt, Recorder* recorder = nullptr,
                                      const Site& site = {}, const char* op = "scaled_dot");

// True when the fused kernel can run these inputs and options.
bool fused_supported(const Tensor& q, const Tensor& k, const Tensor& v, const DotProductOptions& opt);

// Repeats each of NKV heads NH / NKV times along dim 1: [B, NKV, N, HS] -> [B, NH, N, HS]
// (differentiable; grouped-query attention on the reference path).
Tensor repeat_kv(const Tensor& x, int64_t NH);

}  // namespace attnscope::attention
