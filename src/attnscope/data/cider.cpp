#include "attnscope/data/cider.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "attnscope/core/error.h"
#include "attnscope/data/utf8.h"

namespace attnscope::data {
namespace {

constexpr int kMaxN = 4;
constexpr double kSigma = 6.0;

using Counts = std::map<std::string, double>;

struct Grams {
  Counts n[kMaxN];  // n-gram (words joined by ' ') -> count
  double bigrams = 0;
};

Grams grams_of(const std::string& sentence) {
  std::istringstream in(ascii_lower(sentence));
  std::vector<std::string> w;
  for (std::string t; in >> t;) w.push_back(t);
  Grams g;
  for (int k = 1; k <= kMaxN; ++k)
    for (size_t i = 0; i + k <= w.size(); ++i) {
      std::string key = w[i];
      for (int j = 1; j < k; ++j) key += ' ' + w[i + j];
      g.n[k - 1][key] += 1;
      if (k == 2) g.bigrams += 1;
    }
  return g;
}

struct Vec {
  Counts n[kMaxN];
  double norm[kMaxN] = {};
  double length = 0;
};

Vec tfidf(const Grams& g, const std::map<std::string, double>& df, double log_images) {
  Vec v;
  for (int k = 0; k < kMaxN; ++k) {
    for (const auto& [gram, tf] : g.n[k]) {
      const auto it = df.find(gram);
      const double d = it == df.end() ? 0.0 : it->second;
      const double x = tf * (log_images - std::log(std::max(1.0, d)));
      v.n[k][gram] = x;
      v.norm[k] += x * x;
    }
    v.norm[k] = std::sqrt(v.norm[k]);
  }
  v.length = g.bigrams;
  return v;
}

double similarity(const Vec& hyp, const Vec& ref) {
  const double delta = hyp.length - ref.length;
  double total = 0;
  for (int k = 0; k < kMaxN; ++k) {
    double val = 0;
    for (const auto& [gram, x] : hyp.n[k]) {
      const auto it = ref.n[k].find(gram);
      if (it != ref.n[k].end()) val += std::min(x, it->second) * it->second;  // clipped (the "-D")
    }
    if (hyp.norm[k] != 0 && ref.norm[k] != 0) val /= hyp.norm[k] * ref.norm[k];
    total += val * std::exp(-(delta * delta) / (2 * kSigma * kSigma));
  }
  return total / kMaxN;
}

}  // namespace

CiderScore corpus_cider_d(const std::vector<std::string>& hypotheses, const std::vector<std::vector<std::string>>& references) {
  if (hypotheses.size() != references.size())
    throw ValueError("CIDEr-D: " + std::to_string(hypotheses.size()) + " hypotheses but " +
                     std::to_string(references.size()) + " reference sets");
  CiderScore out;
  if (hypotheses.empty()) return out;
  std::vector<std::vector<Grams>> refs(references.size());
  std::map<std::string, double> df;  // n-gram -> images whose references hold it
  for (size_t i = 0; i < references.size(); ++i) {
    if (references[i].empty()) throw ValueError("CIDEr-D: image " + std::to_string(i) + " has no reference");
    std::set<std::string> seen;
    for (const auto& r : references[i]) {
      refs[i].push_back(grams_of(r));
      for (const auto& c : refs[i].back().n)
        for (const auto& kv : c) seen.insert(kv.first);
    }
    for (const auto& g : seen) df[g] += 1;
  }
  const double log_images = std::log(static_cast<double>(references.size()));
  double sum = 0;
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    const Vec h = tfidf(grams_of(hypotheses[i]), df, log_images);
    double s = 0;
    for (const auto& r : refs[i]) s += similarity(h, tfidf(r, df, log_images));
    out.per_image.push_back(10.0 * s / static_cast<double>(refs[i].size()));
    sum += out.per_image.back();
  }
  out.score = sum / static_cast<double>(hypotheses.size());
  return out;
}

}  // namespace attnscope::data
