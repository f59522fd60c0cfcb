// Robustness of a translator to a perturbation of its source (data/perturb.h), the translation
// twin of models/sentiment/robustness.h: exact match on the perturbed sources against the clean
// ones, and the focus shift — the share of the last cross-attention layer's mass (mean over heads
// and output positions, teacher-forced on what the model wrote) that lands on the inserted or
// damaged source tokens, with `chance` the share those tokens would get from uniform attention.
#pragma once
#include <string>
#include <vector>

#include "attnscope/data/perturb.h"
#include "attnscope/models/translate/translator.h"

namespace attnscope::models {

struct TranslationRobustness {
  int64_t n = 0;
  double clean_exact = 0, exact = 0;
  double focus_shift = -1, chance = -1;  // -1: nothing was touched
};

// sources: tokenized source sentences; targets: their reference outputs (detokenized text).
// neutral: distractor words (empty: data/perturb.h's list). Tokens outside the source vocabulary
// read as <unk>, as for any input.
TranslationRobustness evaluate_translation_robustness(Translator& t, const std::vector<std::vector<std::string>>& sources,
                                                      const std::vector<std::string>& targets, const data::Perturbation& p,
                                                      uint64_t seed, const std::vector<std::string>& neutral = {});

// The date task's distractors: weekday names and joining words the generator writes but no ISO
// character aligns to, kept to those in the translator's source vocabulary.
std::vector<std::string> date_neutral_words(const Translator& t);

// "perturb: distractors:0.2 exact=NN.N% clean=NN.N% drop=N.N focus_shift=NN.N% chance=NN.N% n=N"
std::string translation_robustness_line(const TranslationRobustness& r, const data::Perturbation& p);

}  // namespace attnscope::models
