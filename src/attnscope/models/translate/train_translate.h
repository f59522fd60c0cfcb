// Training a translator: data (built-in dates, or a TSV / line-aligned pair of files), batches,
// Adam with warm-up + cosine/inverse-sqrt schedule, gradient clipping, periodic validation,
// atomic checkpoints with everything needed to resume on the same loss curve, and optional
// focus snapshots (the attention on fixed validation sentences every N steps).
#pragma once
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "attnscope/data/dates.h"
#include "attnscope/data/parallel_text.h"
#include "attnscope/focus/alignment.h"
#include "attnscope/io/trace.h"
#include "attnscope/models/translate/translator.h"

namespace attnscope::models {

struct TranslateTrainOptions {
  // Data: "dates" (built in) or a path: TSV "source<TAB>target", or "SRC_FILE,TGT_FILE".
  std::string data = "dates";
  std::string source_mode, target_mode;   // tokenization; empty: dates -> dates/char, files -> word/word
  int64_t max_pairs = 0;                  // 0: all
  int64_t max_len = 40;                   // drop pairs with a side longer than this (tokens)
  int min_freq = 2;                       // vocabulary
  int64_t max_vocab = 20000;
  // Model: "rnn" or "transformer" with its JSON config (see rnn_seq2seq.h / transformer_seq2seq.h).
  std::string kind = "rnn";
  nlohmann::json model_config = nlohmann::json::object();
  // Optimization.
  int64_t steps = 0, batch = 64;          // steps 0: the task default (with_task_defaults)
  double lr = 3e-3, min_lr_fraction = 0.05, clip = 1.0, label_smoothing = 0.0;
  int64_t warmup = 100;
  std::string schedule = "cosine";        // cosine | inverse_sqrt | constant
  double time_limit = 0;                  // seconds; > 0 stops early (the schedule keeps its length)
  // Bookkeeping.
  int64_t eval_every = 250;               // validation (and checkpoint) period, steps
  int64_t focus_every = 0;                // > 0: a focus snapshot every N steps
  int64_t focus_sentences = 3;
  std::string output;                     // checkpoint path ("" = none)
  std::string resume;                     // checkpoint to resume from
  uint64_t seed = 1;
  bool quiet = false;
};

struct TranslateTrainResult {
  std::unique_ptr<Translator> translator;
  std::vector<float> losses;              // per step, from step 0 (resumed runs included)
  std::vector<std::pair<int64_t, double>> valid_losses;
  int64_t steps = 0;
  double seconds = 0, tokens_per_second = 0;
  io::Trace focus;                        // snapshots (sentence 0 as the trace's own layers)
  std::vector<data::SentencePair> test;   // held-out pairs (file data)
  std::vector<data::DateExample> held_out;  // held-out dates (built-in data)
};

// Fills what was left unset with the measured per-task defaults: 2,000 steps, except the
// Transformer on dates: 800 steps, hidden 64, dropout 0 (the stream of fresh dates never repeats,
// so dropout only slows learning) -> exact 100%, alignment 94% in ~70 CPU-seconds (TRANSLATION.md).
TranslateTrainOptions with_task_defaults(TranslateTrainOptions opt);

TranslateTrainResult train_translation(const TranslateTrainOptions& opt);

// Evaluation on held-out data.
struct TranslateEval {
  double bleu = 0, chrf = 0, exact = 0;   // exact: share of outputs equal to the reference
  double alignment = -1;                  // alignment accuracy where gold exists (-1: none)
  int64_t n = 0;
};
TranslateEval evaluate_pairs(Translator& t, const std::vector<data::SentencePair>& pairs, const DecodeOptions& opt);
// Dates: exact match of greedy outputs, and alignment accuracy of the teacher-forced attention
// (averaged over heads of the last cross-attention site) against the gold fields.
TranslateEval evaluate_dates(Translator& t, const std::vector<data::DateExample>& examples, const DecodeOptions& opt);
// The [T, N] attention of the last cross-attention layer (head average) of a trace, for
// alignment and summaries. Empty when the trace has no source-target layer.
std::vector<float> cross_attention_matrix(const io::Trace& trace, int64_t* T, int64_t* N);

// Held-out dates never seen in training (seeded; training streams skip their texts).
std::vector<data::DateExample> held_out_dates(int64_t n, uint64_t seed);

}  // namespace attnscope::models
