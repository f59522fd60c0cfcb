// Perturbations of token sequences for robustness tests (seeded, applied at evaluation): does
// the model's accuracy hold, and does its focus move onto what was added or damaged?
//   distractors:L   insert round(L * n) (at least 1) neutral words at random positions
//   filler:L        insert a run of round(L * n) neutral words (a shuffled filler clause) at a random place
//   typos:L         damage each word with probability L (one letter swapped, dropped or doubled)
//   dropout:L       drop each word with probability L (at least one word stays)
// L defaults to 0.2. `touched` marks the positions a focus-shift measure counts (inserted or damaged).
#pragma once
#include <string>
#include <vector>

#include "attnscope/core/rng.h"

namespace attnscope::data {

struct Perturbation {
  std::string name;    // distractors | filler | typos | dropout
  double level = 0.2;  // in (0, 1]
  std::string str() const;
};

// The perturbations of text (this file) and of images (data/scene_perturb.h).
inline const std::vector<std::string> kTextPerturbations = {"distractors", "filler", "typos", "dropout"};

// "NAME" or "NAME:LEVEL" with NAME one of `names`; ConfigError naming the valid names and range.
Perturbation parse_perturbation(const std::string& spec, const std::vector<std::string>& names = kTextPerturbations);

struct Perturbed {
  std::vector<std::string> words;
  std::vector<bool> touched;  // [words.size()]
};

// neutral: the words distractors and filler insert (empty: a built-in list of English words that
// carry no sentiment and no date; a task passes words its model knows and that change no answer).
Perturbed perturb(const std::vector<std::string>& words, const Perturbation& p, Rng& rng,
                  const std::vector<std::string>& neutral = {});

}  // namespace attnscope::data
