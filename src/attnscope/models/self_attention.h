// Exact scaled-dot-product self-attention for the imported models, with grouped-query heads,
// causal masking against a KV cache, key padding, and optional capture into an
// attention::Recorder. It is the fused kernel (kernels/attention/flash_attention.h) addressed
// through strides, so the projections' row layouts need no copy and the T x N matrix exists only
// when the recorder keeps dense weights:
//   q   [T, NH*HS]   queries of T new tokens (rows as the projection wrote them)
//   k,v [N, NKV*HS]  keys/values of all N positions (cache rows; the T new ones are the last T)
//   out [T, NH*HS]
// Query row t sits at position N - T + t; causal rows see keys 0..N-T+t.
#pragma once
#include <cstdint>
#include <string>

namespace attnscope::attention {
class Recorder;
}

namespace attnscope::models {

struct SelfAttentionShape {
  int64_t T = 0, N = 0, NH = 0, NKV = 0, HS = 0;
  bool causal = true;
  int64_t valid_keys = -1;  // keys >= valid_keys are padding (encoders); -1: all valid
  const uint8_t* head_off = nullptr;  // [NH] or null: heads whose output is zeroed (ablation)
  // [NH] or null: pruned heads, not computed by the kernel (q of these heads is never read);
  // their output rows are zero, as ablated ones.
  const uint8_t* head_skip = nullptr;
};

// recorder (may be null) records the call as site `name` (mechanism "scaled_dot", sequence
// "tokens", query rows at positions N - T ...).
void self_attention_forward(const SelfAttentionShape& s, const float* q, const float* k, const float* v, float* out,
                            attention::Recorder* recorder, const std::string& name);

}  // namespace attnscope::models
