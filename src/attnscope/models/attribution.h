// Gradient attributions of one prediction of an imported decoder: L = log p(target | tokens up to
// `query`), differentiated through Model::grad_forward. What it gives the focus layer:
//   input_gradient   per input token, ‖dL/de_j ⊙ e_j‖₂ (gradient × input, the L2 norm over the
//                    embedding channels, as Ecco's saliency) — the "input gradients" reference of
//                    Abnar & Zuidema's faithfulness table
//   layers           per attention layer, A, dL/dA and the head values (focus/gradient_attribution.h
//                    turns them into gradient × attention, Chefer rollout, head importance, norms)
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "attnscope/focus/gradient_attribution.h"
#include "attnscope/models/model.h"

namespace attnscope::models {

struct Attribution {
  int64_t query = 0;
  int32_t target = 0;
  double logprob = 0;                  // L
  std::vector<double> input_gradient;  // [T]
  std::vector<focus::AttentionGradient> layers;
};

// target < 0: the model's prediction (the argmax at `query`). ConfigError (query out of range, a model without grad_forward), ValueError (bad tokens, target
// outside the vocabulary).
Attribution attribute(const Model& model, std::span<const int32_t> tokens, int64_t query, int32_t target);

// The same for L = the text's mean next-token loss (cross-entropy over positions 0..T-2; logprob
// holds the loss, target is -1): the objective of Michel et al.'s head importance, comparable
// with head ablation. ValueError for fewer than 2 tokens.
Attribution attribute_text_loss(const Model& model, std::span<const int32_t> tokens);

}  // namespace attnscope::models
