// Decoding for any Seq2SeqModel: greedy, and beam search with length normalization
// (score = log p / length^alpha; Wu et al. 2016 use ((5 + len) / 6)^alpha, we use len^alpha).
#pragma once
#include <cstdint>
#include <vector>

#include "attnscope/models/translate/seq2seq.h"

namespace attnscope::models {

struct DecodeOptions {
  int64_t max_len = 64;   // target tokens at most (without <eos>)
  int beam = 1;           // 1: greedy
  double length_alpha = 1.0;
};

// Decodes every source of the batch; returns token ids without <bos>/<eos>. Runs under no_grad.
std::vector<std::vector<int64_t>> decode(Seq2SeqModel& model, const Batch& batch, const DecodeOptions& opt);

}  // namespace attnscope::models
