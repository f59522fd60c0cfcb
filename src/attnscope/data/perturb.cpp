#include "attnscope/data/perturb.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "attnscope/core/error.h"

namespace attnscope::data {

namespace {

// Neutral words: no sentiment, common in reviews and captions alike.
const std::vector<std::string> kBuiltinNeutral = {"the",    "table", "meanwhile", "window", "seven", "paper",
                                           "street", "of",    "yesterday", "blue",   "train", "around"};

int64_t count_of(double level, size_t n) {
  return std::max<int64_t>(1, std::llround(level * static_cast<double>(n)));
}

std::string typo(const std::string& w, Rng& rng) {
  if (w.size() < 2) return w + w;
  std::string t = w;
  const size_t i = rng.below(t.size() - 1);
  switch (rng.below(3)) {
    case 0: std::swap(t[i], t[i + 1]); break;
    case 1: t.erase(i, 1); break;
    default: t.insert(i, 1, t[i]); break;
  }
  return t == w ? w + w.back() : t;
}

}  // namespace

std::string Perturbation::str() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, ":%g", level);
  return name + buf;
}

Perturbation parse_perturbation(const std::string& spec, const std::vector<std::string>& names) {
  Perturbation p;
  const size_t colon = spec.find(':');
  p.name = spec.substr(0, colon);
  const bool known = std::find(names.begin(), names.end(), p.name) != names.end();
  bool ok = known;
  if (ok && colon != std::string::npos) {
    try {
      size_t used = 0;
      p.level = std::stod(spec.substr(colon + 1), &used);
      ok = used == spec.size() - colon - 1 && p.level > 0 && p.level <= 1;
    } catch (const std::exception&) {
      ok = false;
    }
  }
  if (!ok) {
    std::string list;
    for (size_t i = 0; i < names.size(); ++i) list += (i ? i + 1 == names.size() ? " or " : ", " : "") + names[i];
    throw ConfigError("perturbation '" + spec + "': expected " + list + ", optionally :LEVEL in (0, 1]");
  }
  return p;
}

Perturbed perturb(const std::vector<std::string>& words, const Perturbation& p, Rng& rng,
                  const std::vector<std::string>& neutral_words) {
  const std::vector<std::string>& kNeutral = neutral_words.empty() ? kBuiltinNeutral : neutral_words;
  Perturbed out;
  if (p.name == "distractors" || p.name == "filler") {
    out.words = words;
    out.touched.assign(words.size(), false);
    const int64_t k = count_of(p.level, words.size());
    if (p.name == "distractors") {
      for (int64_t i = 0; i < k; ++i) {
        const size_t at = rng.below(out.words.size() + 1);
        out.words.insert(out.words.begin() + static_cast<int64_t>(at), kNeutral[rng.below(kNeutral.size())]);
        out.touched.insert(out.touched.begin() + static_cast<int64_t>(at), true);
      }
    } else {
      const size_t at = rng.below(out.words.size() + 1);
      std::vector<std::string> run;
      for (int64_t i = 0; i < k; ++i) run.push_back(kNeutral[rng.below(kNeutral.size())]);
      out.words.insert(out.words.begin() + static_cast<int64_t>(at), run.begin(), run.end());
      out.touched.insert(out.touched.begin() + static_cast<int64_t>(at), run.size(), true);
    }
  } else if (p.name == "typos") {
    for (const auto& w : words) {
      const bool hit = rng.uniform() < p.level;
      out.words.push_back(hit ? typo(w, rng) : w);
      out.touched.push_back(hit);
    }
  } else {  // dropout
    for (const auto& w : words)
      if (rng.uniform() >= p.level) out.words.push_back(w);
    if (out.words.empty() && !words.empty()) out.words.push_back(words[rng.below(words.size())]);
    out.touched.assign(out.words.size(), false);
  }
  return out;
}

}  // namespace attnscope::data
