// Measuring a translator: corpus BLEU, chrF and exact match on sentence pairs; on the built-in
// dates, exact match and alignment accuracy of the cross-attention against the gold alignments.
// Reading parallel text for training and evaluation alike.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/data/dates.h"
#include "attnscope/data/parallel_text.h"
#include "attnscope/io/trace.h"
#include "attnscope/models/translate/translator.h"

namespace attnscope::models {

// AER (Och & Ney) of one cross-attention head's links against the gold alignments: argmax links
// (one per target position), and links whose weight reaches a threshold (the best of
// kAerThresholds, chosen on the same data: an optimistic figure, said so where printed).
inline constexpr double kAerThresholds[] = {0.05, 0.1, 0.2, 0.3, 0.5};
struct HeadAer {
  std::string layer;
  int64_t head = 0;  // -1: the mean over the layer's heads
  double aer = 0;    // argmax links
  double aer_threshold = 0, threshold = 0;
};

struct TranslateEval {
  double bleu = 0, chrf = 0, exact = 0;   // exact: share of outputs equal to the reference
  double alignment = -1;                  // alignment accuracy where gold exists (-1: none)
  int64_t n = 0;
  std::vector<HeadAer> aer;               // dates: every cross-attention layer x head (and mean)
  // The lowest AER of `aer`, or nullptr.
  const HeadAer* best_aer() const;
};
TranslateEval evaluate_pairs(Translator& t, const std::vector<data::SentencePair>& pairs, const DecodeOptions& opt);
// Dates: exact match of greedy outputs, and alignment accuracy of the teacher-forced attention
// (averaged over heads of the last cross-attention site) against the gold fields; the AER of
// every cross-attention layer and head (gold links are sure links).
TranslateEval evaluate_dates(Translator& t, const std::vector<data::DateExample>& examples, const DecodeOptions& opt);
// The [T, N] attention of the last cross-attention layer (head average) of a trace, for
// alignment and summaries. Empty when the trace has no source-target layer.
std::vector<float> cross_attention_matrix(const io::Trace& trace, int64_t* T, int64_t* N);

// Held-out dates never seen in training (seeded; training streams skip their texts).
std::vector<data::DateExample> held_out_dates(int64_t n, uint64_t seed);

// Parallel text: "SRC_FILE,TGT_FILE" (line-aligned) or a TSV "source<TAB>target" file.
std::vector<data::SentencePair> read_pairs(const std::string& spec, int64_t max_pairs = 0);

}  // namespace attnscope::models
