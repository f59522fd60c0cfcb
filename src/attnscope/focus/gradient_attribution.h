// Attributions that go beyond the attention weights (the "is attention explanation?" answers),
// from one layer's attention A [H, T, T] (query rows, key columns), the gradient G = dL/dA of the
// explained output L (e.g. log p(next token)) and the head values f^h(x_j) = v^h_j W_O^h [H, T, C]
// (what head h adds to the residual stream per unit of weight on key j):
//   grad_attention        mean over heads of A ⊙ G (gradient × attention, signed)
//   head_gate_gradient    Σ_ij A ⊙ G per head: the head's output A V is linear in A, so this is
//                         dL/dξ_h for a gate ξ_h on the head; −dL/dξ_h is the first-order estimate
//                         of L's change when the head is zeroed (ablation), |dL/dξ_h| Michel et
//                         al. 2019's importance I_h
//   gradient_rollout      Chefer, Gur & Wolf 2021 ("Generic attention-model explainability"):
//                         Ā_l = mean_h (G_l ⊙ A_l)⁺, R = I, then R ← R + Ā_l R for l = 1..L
//   norm_attention        Kobayashi et al. 2020: ‖Σ_h A^h_ij f^h(x_j)‖ — attention weighted by the
//                         size of what it moves (a large weight on a near-zero value moves little)
// The models layer produces AttentionGradient (models/attribution.h); this file is only math.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/focus/attention_map.h"

namespace attnscope::focus {

struct AttentionGradient {
  std::string name;                                   // the trace layer's name
  int64_t heads = 0, tokens = 0, dim = 0;             // H, T (queries = keys: self-attention), C
  std::vector<float> attention, grad, head_values;    // [H, T, T], [H, T, T], [H, T, C] (may be empty)
};

// ShapeError when the arrays do not match the declared sizes.
void check(const AttentionGradient& g);
AttentionMap grad_attention(const AttentionGradient& g);
std::vector<double> head_gate_gradient(const AttentionGradient& g);
// Over the layers in order (all the same T). ShapeError for an empty stack or differing T.
AttentionMap gradient_rollout(const std::vector<AttentionGradient>& layers);
// Row `query` of it (1 x T) in O(L T^2). ConfigError for a query out of range.
AttentionMap gradient_rollout_row(const std::vector<AttentionGradient>& layers, int64_t query);
// ShapeError when head_values are missing.
AttentionMap norm_attention(const AttentionGradient& g);

}  // namespace attnscope::focus
