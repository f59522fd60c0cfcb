// GradForward: an imported model's forward over a whole sequence built on autograd, for the
// attributions that need gradients (models/attribution.h): the inference forward (llama.cpp,
// gpt2.cpp: raw GEMMs, KV cache, fused kernel) stays the fast path; this one is the same math
// through autograd ops, checked against it (tests/models/grad_forward_test.cpp).
#pragma once
#include <span>
#include <vector>

#include "attnscope/tensor/tensor.h"

namespace attnscope::models {

struct GradForward {
  Tensor embeddings;                // [T, C] leaf, requires grad: the first block's input
  std::vector<Tensor> attention;    // per layer [NH, T, T]: the probabilities (no history)
  std::vector<Tensor> probes;       // per layer zeros [NH, T, T], leaves added to the probabilities:
                                    // after backward, probes[l].grad() = dL/dA_l
  std::vector<Tensor> head_values;  // per layer [NH, T, C]: v^h_j W_O^h (no history)
  Tensor logits;                    // [T, V]
};

// The attention sub-block shared by the decoders: q [NH, T, HS], k/v [NKV, T, HS] (GQA: query
// head h reads kv head h / (NH / NKV)), causal; wo [C, NH*HS]. Records the probabilities, a
// probe and the head values into g; returns the heads' outputs concatenated, [T, NH*HS] (the
// output projection is the caller's: GPT-2 adds a bias).
Tensor probed_causal_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& wo, GradForward& g);

// The first block's input: `given` (checked to be [T, C]; a leaf copy, so the caller's tensor
// keeps no history) or the embedding rows computed by the model, as a leaf requiring grad.
Tensor input_leaf(const Tensor& given, std::vector<float> computed, int64_t T, int64_t C);

// A stored weight as a tensor (a copy: the model's vector stays the inference path's).
inline Tensor param(const std::vector<float>& w, Shape shape) { return Tensor::from(std::span<const float>(w), shape); }

// x [T, in] @ w[out, in]^T (+ b), weights given as the models store them.
Tensor linear_rows(const Tensor& x, const Tensor& w, const Tensor& b = {});

}  // namespace attnscope::models
