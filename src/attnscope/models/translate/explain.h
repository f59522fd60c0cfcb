// Which source tokens a translation really depends on, and how well attention-based explanations
// say so — Abnar & Zuidema's faithfulness table carried to an encoder-decoder. The text is
// translated greedily; then, teacher-forced on that output, for every target position t (the
// last one producing <eos>) and source token j:
//   leave_one_out[t][j]   log p(y_t | y_<t, x) − log p(y_t | y_<t, x without x_j)
//   input_gradient[t][j]  ‖∂ log p(y_t) / ∂e_j ⊙ e_j‖₂, e_j the embedded source token (with its
//                         position, as the encoder reads it)
// and per decoder cross-attention layer l (head-fused by mean) of the teacher-forced trace:
//   raw[l][t]      the cross-attention row of t
//   rollout[l][t]  cross_rollout through the encoder's self-attention stack (focus/cross_paths.h)
//   flow[l][t]     cross_flow through it (exact max flow)
// For an RNN translator (one cross layer, no encoder self-attention) rollout and flow are the
// normalised raw row.
#pragma once
#include <string>
#include <vector>

#include "attnscope/focus/faithfulness.h"
#include "attnscope/models/translate/translator.h"

namespace attnscope::models {

struct TranslationExplanation {
  std::vector<std::string> source, target;           // target ends with <eos>
  std::vector<std::string> layers;                    // the cross-attention layers' names
  std::vector<std::vector<double>> leave_one_out, input_gradient;  // [T][S]
  std::vector<std::vector<std::vector<double>>> raw, rollout, flow;  // [layer][T][S]
};

// ValueError for an empty text (as translate), ConfigError for a model with no cross-attention.
TranslationExplanation explain_translation(Translator& translator, const std::string& text);

// Adds one sentence to the faithfulness means: per layer, per target position, Spearman's rho of
// raw / rollout / flow against leave-one-out (and of the input gradient against it) into
// vs_loo, and of raw / rollout / flow against the input gradient into vs_gradient. Sentences with
// fewer than 3 source tokens tell nothing and are skipped.
void add_faithfulness(const TranslationExplanation& e, focus::FaithfulnessMean& vs_loo,
                      focus::FaithfulnessMean& vs_gradient);

}  // namespace attnscope::models
