// Exact scaled-dot-product self-attention for the imported models, with grouped-query heads,
// causal masking against a KV cache, key padding, and optional capture of every probability.
//   q   [T, NH*HS]   queries of T new tokens (rows as the projection wrote them)
//   k,v [N, NKV*HS]  keys/values of all N positions (cache rows; the T new ones are the last T)
//   out [T, NH*HS]
// Query row t sits at position N - T + t; causal rows see keys 0..N-T+t. The scores of a head
// are one GEMM (S = scale Q_h K_h^T), softmax per row, one GEMM (O_h = P V_h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::models {

class AttentionCapture;

struct SelfAttentionShape {
  int64_t T = 0, N = 0, NH = 0, NKV = 0, HS = 0;
  bool causal = true;
  int64_t valid_keys = -1;  // keys >= valid_keys are padding (encoders); -1: all valid
};

// scratch: resized to NH*T*N (scores/probabilities) + NH*T (lse). capture (may be null) gets the
// probabilities of site (layer, name).
void self_attention_forward(const SelfAttentionShape& s, const float* q, const float* k, const float* v, float* out,
                            std::vector<float>& scratch, AttentionCapture* capture, int64_t layer,
                            const std::string& name);

}  // namespace attnscope::models
