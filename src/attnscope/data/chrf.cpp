#include "attnscope/data/chrf.h"

#include <map>

#include "attnscope/core/error.h"
#include "attnscope/data/utf8.h"

namespace attnscope::data {
namespace {

// UTF-8 characters of s, whitespace removed.
std::vector<std::string> chars_no_space(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    const std::string ch = utf8_char_at(s, i);
    i += ch.size();
    if (!(ch.size() == 1 && (ch[0] == ' ' || ch[0] == '\t' || ch[0] == '\n' || ch[0] == '\r'))) out.push_back(ch);
  }
  return out;
}

std::map<std::string, int> ngrams(const std::vector<std::string>& chars, int n) {
  std::map<std::string, int> m;
  for (size_t k = 0; k + n <= chars.size(); ++k) {
    std::string g;
    for (int j = 0; j < n; ++j) g += chars[k + j];
    m[g]++;
  }
  return m;
}

}  // namespace

double corpus_chrf(const std::vector<std::string>& hyps, const std::vector<std::string>& refs,
                   int char_order, double beta) {
  if (hyps.size() != refs.size())
    throw ShapeError("corpus_chrf: " + std::to_string(hyps.size()) + " hypotheses for " +
                     std::to_string(refs.size()) + " references");
  std::vector<double> n_hyp(char_order), n_ref(char_order), n_match(char_order);
  for (size_t i = 0; i < hyps.size(); ++i) {
    const auto h = chars_no_space(hyps[i]), r = chars_no_space(refs[i]);
    for (int n = 1; n <= char_order; ++n) {
      const auto hg = ngrams(h, n), rg = ngrams(r, n);
      for (const auto& [g, c] : hg) {
        n_hyp[n - 1] += c;
        auto it = rg.find(g);
        if (it != rg.end()) n_match[n - 1] += std::min(c, it->second);
      }
      for (const auto& [g, c] : rg) n_ref[n - 1] += c;
    }
  }
  double prec = 0, rec = 0;
  int effective = 0;
  for (int n = 0; n < char_order; ++n) {
    if (n_hyp[n] > 0 && n_ref[n] > 0) {
      prec += n_match[n] / n_hyp[n];
      rec += n_match[n] / n_ref[n];
      ++effective;
    }
  }
  if (effective == 0) return 0;
  prec /= effective;
  rec /= effective;
  const double b2 = beta * beta;
  if (prec + rec == 0) return 0;
  return 100.0 * (1 + b2) * prec * rec / (b2 * prec + rec);
}

}  // namespace attnscope::data
