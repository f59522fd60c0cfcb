// Head pruning by importance (Michel et al. 2019, "Are Sixteen Heads Really Better than One?"):
// rank heads by an importance score measured on calibration data (ablation: the loss increase
// when the head alone is removed; gradient: the first-order estimate from the head gate), remove
// the least important share, and measure quality and forward time. Pruned heads are skipped by
// the compute (Model::prune_heads, MultiHeadAttention::prune_heads), so the time is a real
// speed-up, not a zeroed output.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "attnscope/data/dates.h"
#include "attnscope/models/model.h"
#include "attnscope/models/translate/translator.h"

namespace attnscope::models {

// The round(share * n) heads of lowest importance (ties: the lower index first), as a mask
// (1 = pruned). ValueError for a share outside [0, 1].
std::vector<uint8_t> least_important_heads(std::span<const double> importance, double share);

struct PrunePoint {
  double share = 0;          // asked
  int64_t pruned = 0, heads = 0;
  double quality = 0;        // imported decoders: perplexity; translators: exact match (0..1)
  double bleu = -1;          // translators: character BLEU (0..100); -1 otherwise
  double seconds = 0;        // the fastest of `repeats` timed runs (process CPU time: run one thread)
};

// Imported decoder: perplexity of ids (one sequence within the context) with each share of the
// heads pruned by `importance` [n_layers * n_heads], and the fastest of `repeats` forwards of ids.
// Leaves the model unpruned.
std::vector<PrunePoint> text_pruning_curve(Model& model, std::span<const int32_t> ids, std::span<const double> importance,
                                           std::span<const double> shares, int64_t repeats);

// Transformer translator: importance of every head (TransformerSeq2Seq::prune_heads order) as
// the increase of the teacher-forced loss (nats per target token) over `calibration` when that
// head alone is pruned. ConfigError for a translator without heads (RNN).
std::vector<double> translator_head_ablation(Translator& t, const std::vector<data::DateExample>& calibration);
// Greedy exact match and character BLEU on `held_out` with each share pruned; time: the fastest
// of `repeats` translations of all of held_out. Leaves the model unpruned.
std::vector<PrunePoint> translator_pruning_curve(Translator& t, const std::vector<data::DateExample>& held_out,
                                                 std::span<const double> importance, std::span<const double> shares,
                                                 int64_t repeats);

}  // namespace attnscope::models
