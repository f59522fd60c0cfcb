#include "attnscope/models/translate/robustness.h"

#include <cstdio>

#include "attnscope/core/error.h"
#include "attnscope/core/rng.h"
#include "attnscope/models/translate/decode.h"
#include "attnscope/models/translate/evaluate.h"

namespace attnscope::models {

namespace {

// Greedy outputs of many token sequences, in batches.
std::vector<std::string> translate_tokens(Translator& t, const std::vector<std::vector<std::string>>& sources,
                                          std::vector<std::vector<std::string>>* target_tokens) {
  std::vector<std::string> out;
  constexpr size_t kBatch = 64;
  for (size_t i = 0; i < sources.size(); i += kBatch) {
    std::vector<std::vector<int64_t>> ids;
    for (size_t j = i; j < std::min(sources.size(), i + kBatch); ++j) ids.push_back(t.codec().source_vocab.encode(sources[j]));
    for (const auto& y : decode(t.model(), make_batch(ids), DecodeOptions{})) {
      const std::vector<std::string> toks = t.codec().target_vocab.decode(y);
      out.push_back(t.codec().detokenize_target(toks));
      target_tokens->push_back(toks);
    }
  }
  return out;
}

}  // namespace

TranslationRobustness evaluate_translation_robustness(Translator& t, const std::vector<std::vector<std::string>>& sources,
                                                      const std::vector<std::string>& targets, const data::Perturbation& p,
                                                      uint64_t seed, const std::vector<std::string>& neutral) {
  if (sources.size() != targets.size() || sources.empty())
    throw ShapeError("robustness: " + std::to_string(sources.size()) + " sources for " + std::to_string(targets.size()) + " targets");
  Rng rng(seed);
  std::vector<data::Perturbed> perturbed;
  std::vector<std::vector<std::string>> noisy;
  for (const auto& s : sources) {
    perturbed.push_back(data::perturb(s, p, rng, neutral));
    noisy.push_back(perturbed.back().words);
  }
  std::vector<std::vector<std::string>> clean_tokens, noisy_tokens;
  const std::vector<std::string> clean = translate_tokens(t, sources, &clean_tokens);
  const std::vector<std::string> out = translate_tokens(t, noisy, &noisy_tokens);
  TranslationRobustness r;
  r.n = static_cast<int64_t>(sources.size());
  double shift = 0, chance = 0;
  int64_t measured = 0;
  for (size_t i = 0; i < sources.size(); ++i) {
    r.clean_exact += clean[i] == targets[i];
    r.exact += out[i] == targets[i];
    const data::Perturbed& pb = perturbed[i];
    int64_t touched = 0;
    for (bool b : pb.touched) touched += b;
    if (touched == 0 || pb.words.empty()) continue;
    // Teacher-forced on what the model wrote for the perturbed source.
    int64_t T = 0, N = 0;
    const std::vector<float> a = cross_attention_matrix(t.trace_pair(pb.words, noisy_tokens[i]), &T, &N);
    if (a.empty() || N != static_cast<int64_t>(pb.words.size())) continue;
    double on = 0, all = 0;
    for (int64_t q = 0; q < T; ++q)
      for (int64_t k = 0; k < N; ++k) {
        all += a[q * N + k];
        if (pb.touched[k]) on += a[q * N + k];
      }
    if (!(all > 0)) continue;
    shift += on / all;
    chance += static_cast<double>(touched) / static_cast<double>(N);
    ++measured;
  }
  r.clean_exact /= static_cast<double>(r.n);
  r.exact /= static_cast<double>(r.n);
  if (measured > 0) {
    r.focus_shift = shift / static_cast<double>(measured);
    r.chance = chance / static_cast<double>(measured);
  }
  return r;
}

std::vector<std::string> date_neutral_words(const Translator& t) {
  // Weekday names (the weekday follows from the date: the ISO output has no character for it)
  // and joining words; none is a gold alignment target of the generator (data/dates.cpp).
  static const char* const kWords[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                                       "mon",    "tue",     "wed",       "thu",      "fri",    "sat",      "sun",
                                       "lundi",  "mardi",   "mercredi",  "jeudi",    "vendredi", "samedi", "dimanche",
                                       "de",     "of"};
  std::vector<std::string> out;
  for (const char* w : kWords)
    if (t.codec().source_vocab.contains(w)) out.push_back(w);
  return out;
}

std::string translation_robustness_line(const TranslationRobustness& r, const data::Perturbation& p) {
  char line[256];
  if (r.focus_shift < 0)
    std::snprintf(line, sizeof line, "perturb: %s exact=%.1f%% clean=%.1f%% drop=%.1f n=%lld", p.str().c_str(), 100 * r.exact,
                  100 * r.clean_exact, 100 * (r.clean_exact - r.exact), static_cast<long long>(r.n));
  else
    std::snprintf(line, sizeof line, "perturb: %s exact=%.1f%% clean=%.1f%% drop=%.1f focus_shift=%.1f%% chance=%.1f%% n=%lld",
                  p.str().c_str(), 100 * r.exact, 100 * r.clean_exact, 100 * (r.clean_exact - r.exact), 100 * r.focus_shift,
                  100 * r.chance, static_cast<long long>(r.n));
  return line;
}

}  // namespace attnscope::models
