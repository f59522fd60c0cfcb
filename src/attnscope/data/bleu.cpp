#include "attnscope/data/bleu.h"

#include <cmath>
#include <map>
#include <sstream>

#include "attnscope/core/error.h"

namespace attnscope::data {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The mteval-v13a punctuation class: [\{-\~\[-\` -\&\(-\+\:-\@\/]
bool is_13a_punct(unsigned char c) {
  return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' + 1 && c <= '&') ||
         (c >= '(' && c <= '+') || (c >= ':' && c <= '@') || c == '/';
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
}

std::vector<std::string> split_ws(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace

std::string tokenize_13a(const std::string& input) {
  std::string line = input;
  replace_all(line, "<skipped>", "");
  replace_all(line, "-\n", "");
  replace_all(line, "\n", " ");
  if (line.find('&') != std::string::npos) {
    replace_all(line, "&quot;", "\"");
    replace_all(line, "&amp;", "&");
    replace_all(line, "&lt;", "<");
    replace_all(line, "&gt;", ">");
  }
  // Pad punctuation with spaces (the ' ' itself is excluded from the class above).
  std::string a;
  for (unsigned char c : line) {
    if (is_13a_punct(c)) {
      a += ' ';
      a += static_cast<char>(c);
      a += ' ';
    } else {
      a += static_cast<char>(c);
    }
  }
  // Periods and commas split unless between digits: ([^0-9])([\.,]) and ([\.,])([^0-9]) on the
  // space-padded line, so either rule firing surrounds the mark with spaces.
  std::string b;
  for (size_t i = 0; i < a.size(); ++i) {
    const char c = a[i];
    if (c == '.' || c == ',') {
      const bool prev_digit = i > 0 && is_digit(a[i - 1]);
      const bool next_digit = i + 1 < a.size() && is_digit(a[i + 1]);
      if (prev_digit && next_digit) {
        b += c;
      } else {
        b += ' ';
        b += c;
        b += ' ';
      }
    } else if (c == '-' && i > 0 && is_digit(a[i - 1])) {  // ([0-9])(-)
      b += " - ";
    } else {
      b += c;
    }
  }
  std::string out;
  for (const auto& w : split_ws(b)) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

BleuScore corpus_bleu(const std::vector<std::string>& hyps, const std::vector<std::string>& refs) {
  std::vector<std::vector<std::string>> sets;
  sets.reserve(refs.size());
  for (const auto& r : refs) sets.push_back({r});
  return corpus_bleu(hyps, sets);
}

BleuScore corpus_bleu(const std::vector<std::string>& hyps, const std::vector<std::vector<std::string>>& refs) {
  if (hyps.size() != refs.size())
    throw ShapeError("corpus_bleu: " + std::to_string(hyps.size()) + " hypotheses for " +
                     std::to_string(refs.size()) + " references");
  long correct[4] = {}, total[4] = {};
  BleuScore s;
  for (size_t i = 0; i < hyps.size(); ++i) {
    if (refs[i].empty()) throw ValueError("corpus_bleu: hypothesis " + std::to_string(i) + " has no reference");
    const auto h = split_ws(tokenize_13a(hyps[i]));
    std::vector<std::vector<std::string>> rs;
    for (const auto& r : refs[i]) rs.push_back(split_ws(tokenize_13a(r)));
    // The closest reference length (the shorter on a tie).
    size_t ref_len = rs.front().size();
    for (const auto& r : rs) {
      const auto d = [&](size_t n) { return n > h.size() ? n - h.size() : h.size() - n; };
      if (d(r.size()) < d(ref_len) || (d(r.size()) == d(ref_len) && r.size() < ref_len)) ref_len = r.size();
    }
    s.hyp_len += static_cast<long>(h.size());
    s.ref_len += static_cast<long>(ref_len);
    for (int n = 1; n <= 4; ++n) {
      std::map<std::vector<std::string>, int> ref_counts;  // the largest count in any reference
      for (const auto& r : rs) {
        std::map<std::vector<std::string>, int> counts;
        for (size_t k = 0; k + n <= r.size(); ++k) counts[{r.begin() + k, r.begin() + k + n}]++;
        for (const auto& [g, c] : counts) ref_counts[g] = std::max(ref_counts[g], c);
      }
      std::map<std::vector<std::string>, int> hyp_counts;
      for (size_t k = 0; k + n <= h.size(); ++k) hyp_counts[{h.begin() + k, h.begin() + k + n}]++;
      for (const auto& [g, c] : hyp_counts) {
        auto it = ref_counts.find(g);
        correct[n - 1] += std::min(c, it == ref_counts.end() ? 0 : it->second);
      }
      total[n - 1] += h.size() >= static_cast<size_t>(n) ? static_cast<long>(h.size() - n + 1) : 0;
    }
  }
  // 'exp' smoothing (sacreBLEU default): a zero count gets 1 / 2^k, k counting such orders.
  double log_sum = 0;
  double smooth = 1.0;
  for (int n = 0; n < 4; ++n) {
    if (total[n] == 0) {
      s.score = 0;
      return s;
    }
    double p;
    if (correct[n] == 0) {
      smooth *= 2;
      p = 100.0 / (smooth * total[n]);
    } else {
      p = 100.0 * correct[n] / total[n];
    }
    s.precisions[n] = p;
    log_sum += std::log(p);
  }
  s.brevity_penalty = s.hyp_len >= s.ref_len ? 1.0
                      : s.hyp_len == 0       ? 0.0
                                             : std::exp(1.0 - static_cast<double>(s.ref_len) / s.hyp_len);
  s.score = s.brevity_penalty * std::exp(log_sum / 4);  // geometric mean of percents
  return s;
}

}  // namespace attnscope::data
