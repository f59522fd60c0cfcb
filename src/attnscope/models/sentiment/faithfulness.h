// Is the attention an explanation? (Jain & Wallace 2019, "Attention is not Explanation".)
// Per sentence, Kendall's tau between the attention weights and two other importance scores,
// then averaged over sentences:
//   leave-one-out   the drop in the predicted class's probability when the word is removed
//   gradient x input |sum_e dlog p(pred)/dx_ie * x_ie| at the word's embedding x_i
// and an erasure curve: accuracy when the k most attended words are removed against k random
// words (a faithful attention hurts more when its top words go).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/data/sentiment.h"
#include "attnscope/models/sentiment/classifier.h"

namespace attnscope::models {

struct Faithfulness {
  int64_t sentences = 0;           // sentences with >= 2 words and a defined tau
  double tau_loo = 0, tau_grad = 0;
  std::vector<double> erase_attention, erase_random;  // accuracy after removing k = 0..max_k words
};

// ConfigError when the model pools without attention. max_sentences > 0 takes the first ones.
Faithfulness measure_faithfulness(SentimentClassifier& model, const data::LabeledSet& set, int max_k, uint64_t seed,
                                  int64_t max_sentences = 0);
std::vector<std::string> faithfulness_report(const Faithfulness& f);

}  // namespace attnscope::models
