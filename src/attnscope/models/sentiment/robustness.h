// Robustness of a sentiment classifier to a perturbation (data/perturb.h): accuracy on the
// perturbed sentences against the clean ones, and the focus shift — the share of the attention
// pooling's mass that lands on the inserted or damaged words (with `chance`, the share those
// words would get from uniform attention, to compare with).
#pragma once
#include <string>

#include "attnscope/data/perturb.h"
#include "attnscope/data/sentiment.h"
#include "attnscope/models/sentiment/classifier.h"

namespace attnscope::models {

struct RobustnessEval {
  int64_t n = 0;
  double clean_accuracy = 0, accuracy = 0;
  double focus_shift = -1, chance = -1;  // -1: the model has no attention over words, or nothing was touched
};

RobustnessEval evaluate_robustness(SentimentClassifier& model, const data::LabeledSet& set, const data::Perturbation& p,
                                   uint64_t seed);

// "perturb: distractors:0.2 accuracy=NN.N% clean=NN.N% drop=N.N focus_shift=NN.N% chance=NN.N% n=N"
std::string robustness_line(const RobustnessEval& r, const data::Perturbation& p);

}  // namespace attnscope::models
