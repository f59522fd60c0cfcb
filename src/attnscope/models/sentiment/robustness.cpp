#include "attnscope/models/sentiment/robustness.h"

#include <algorithm>
#include <cstdio>

#include "attnscope/models/sentiment/evaluate.h"

namespace attnscope::models {

RobustnessEval evaluate_robustness(SentimentClassifier& model, const data::LabeledSet& set, const data::Perturbation& p,
                                   uint64_t seed) {
  const std::vector<int64_t> to_model = model_labels(model, set);
  RobustnessEval r;
  Rng rng(seed);
  int64_t clean_ok = 0, ok = 0, shift_n = 0;
  double shift = 0, chance = 0;
  constexpr size_t kBatch = 256;
  for (size_t start = 0; start < set.examples.size(); start += kBatch) {
    const size_t end = std::min(set.examples.size(), start + kBatch);
    std::vector<std::vector<std::string>> clean, noisy;
    std::vector<std::vector<bool>> touched;
    for (size_t i = start; i < end; ++i) {
      clean.push_back(set.examples[i].words);
      data::Perturbed pt = data::perturb(set.examples[i].words, p, rng);
      noisy.push_back(std::move(pt.words));
      touched.push_back(std::move(pt.touched));
    }
    const auto a = model.predict(clean), b = model.predict(noisy);
    for (size_t j = 0; j < a.size(); ++j) {
      const int64_t gold = to_model[set.examples[start + j].label];
      clean_ok += a[j].label == gold;
      ok += b[j].label == gold;
      const auto& w = b[j].weights;
      const int64_t hits = std::count(touched[j].begin(), touched[j].end(), true);
      if (w.size() != touched[j].size() || hits == 0) continue;
      double mass = 0, total = 0;
      for (size_t k = 0; k < w.size(); ++k) {
        total += w[k];
        if (touched[j][k]) mass += w[k];
      }
      if (!(total > 0)) continue;
      shift += mass / total;
      chance += static_cast<double>(hits) / static_cast<double>(w.size());
      ++shift_n;
    }
  }
  r.n = static_cast<int64_t>(set.examples.size());
  if (r.n == 0) return r;
  r.clean_accuracy = static_cast<double>(clean_ok) / r.n;
  r.accuracy = static_cast<double>(ok) / r.n;
  if (shift_n) {
    r.focus_shift = shift / shift_n;
    r.chance = chance / shift_n;
  }
  return r;
}

std::string robustness_line(const RobustnessEval& r, const data::Perturbation& p) {
  char line[256];
  if (r.focus_shift >= 0)
    std::snprintf(line, sizeof line, "perturb: %s accuracy=%.1f%% clean=%.1f%% drop=%.1f focus_shift=%.1f%% chance=%.1f%% n=%lld",
                  p.str().c_str(), 100 * r.accuracy, 100 * r.clean_accuracy, 100 * (r.clean_accuracy - r.accuracy),
                  100 * r.focus_shift, 100 * r.chance, static_cast<long long>(r.n));
  else
    std::snprintf(line, sizeof line, "perturb: %s accuracy=%.1f%% clean=%.1f%% drop=%.1f focus_shift=n/a n=%lld",
                  p.str().c_str(), 100 * r.accuracy, 100 * r.clean_accuracy, 100 * (r.clean_accuracy - r.accuracy),
                  static_cast<long long>(r.n));
  return line;
}

}  // namespace attnscope::models
