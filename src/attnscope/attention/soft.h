// Soft attention of a query sequence over a memory (encoder states, image regions), the
// mechanisms of the attention-based seq2seq papers. One module, five score functions:
//   additive    Bahdanau, Cho & Bengio 2015:  e_ij = v^T tanh(W_q s_i + W_k h_j + b)
//   concat      Luong, Pham & Manning 2015:   e_ij = v^T tanh(W_a [s_i; h_j])  (the same form:
//               W_a [s; h] = W_q s + W_k h, so both share one implementation)
//   dot         Luong 2015:                   e_ij = s_i . h_j                  (Cq == Ck)
//   general     Luong 2015:                   e_ij = s_i^T W_a h_j
//   scaled_dot  Vaswani et al. 2017:          e_ij = s_i . h_j / sqrt(Ck)      (single head)
//   a_i = normalize(e_i / temperature + prior_i + mask_i),  c_i = sum_j a_ij v_j
// Shapes: query [B, T, Cq] (T decoder steps or 1), keys [B, N, Ck], values [B, N, Cv]
// (defaults to keys); context [B, T, Cv], weights [B, T, N].
// Parameters: query_proj.weight, key_proj.weight/.bias, score_v.weight (additive/concat);
// key_proj.weight (general).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "attnscope/attention/normalizer.h"
#include "attnscope/attention/recorder.h"
#include "attnscope/attention/result.h"
#include "attnscope/nn/linear.h"

namespace attnscope::attention {

enum class Score : uint8_t { additive, concat, dot, general, scaled_dot };
const char* score_name(Score s);

struct SoftAttentionConfig {
  int64_t query_dim = 0;  // Cq
  int64_t key_dim = 0;    // Ck
  int64_t attn_dim = 0;   // A, hidden size of additive/concat scores; 0: key_dim
  Score score = Score::additive;
  Normalizer normalizer = Normalizer::softmax;
  double temperature = 1.0;
};

// Per-call inputs.
struct SoftCall {
  std::vector<int32_t> key_lengths{};  // [B] valid memory positions; empty: all N
  Tensor prior{};                    // additive guide broadcastable to [B, T, N] (e.g. "prefer the diagonal")
  int64_t query_offset = 0;          // position of query row 0 (decoding step) for the recorder
  // project_keys(keys), from a decoder that attends to the same memory at every step: the key
  // projection then runs (and is differentiated) once per sequence, not once per step. Undefined:
  // projected here.
  Tensor projected_keys{};
};

class SoftAttention : public nn::Module, public Recordable {
 public:
  SoftAttention(const SoftAttentionConfig& cfg, Rng& rng);
  std::string type_name() const override { return "SoftAttention"; }

  AttentionResult forward(const Tensor& query, const Tensor& keys, const Tensor& values = {},
                          const SoftCall& call = {}) const;
  // Raw scores e [B, T, N] (before temperature, prior and mask): shared with local and hard
  // attention, which build their weights differently.
  // `projected`: project_keys(keys) when the caller kept it (else computed here).
  Tensor scores(const Tensor& query, const Tensor& keys, const Tensor& projected = {}) const;
  // What the score reads of the keys: W_k h + b (additive, concat), W_a h (general), h (dot).
  Tensor project_keys(const Tensor& keys) const;
  // Additive mask [B, 1, N] (0 / -inf) for key_lengths, undefined when empty. Validates them.
  static Tensor padding_mask(const std::vector<int32_t>& key_lengths, int64_t B, int64_t N, DType dtype, const char* op);
  const SoftAttentionConfig& config() const { return cfg_; }

 private:
  SoftAttentionConfig cfg_;
  std::shared_ptr<nn::Linear> query_proj_, key_proj_, score_v_;
};

// e + prior (prior broadcastable to e [B, T, N], cast to e's dtype only when it differs so a
// learned prior keeps its gradient); ShapeError naming `op` otherwise. Undefined prior: e.
Tensor add_prior(const Tensor& e, const Tensor& prior, const char* op);

// Checks query [B, T, Cq], keys [B, N, Ck], values [B, N, Cv] agree; ShapeError naming `op`.
void check_memory_shapes(const Tensor& query, const Tensor& keys, const Tensor& values, int64_t Cq, int64_t Ck,
                         const char* op);

}  // namespace attnscope::attention
