#include "attnscope/data/parallel_text.h"

#include <cctype>
#include <fstream>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/core/rng.h"
#include "attnscope/data/utf8.h"

namespace attnscope::data {
namespace {

std::ifstream open_text(const std::string& path) {
  require_regular_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open '" + path + "'");
  return in;
}

void check_line(const std::string& path, int64_t lineno, const std::string& line) {
  if (line.size() > kMaxLineBytes)
    throw FormatError(path + ":" + std::to_string(lineno) + ": line longer than " +
                      std::to_string(kMaxLineBytes) + " bytes");
  if (!valid_utf8(line)) throw FormatError(path + ":" + std::to_string(lineno) + ": not valid UTF-8");
}

void strip_cr(std::string& line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
}

}  // namespace

std::vector<SentencePair> read_tsv(const std::string& path, int64_t max_pairs) {
  std::ifstream in = open_text(path);
  std::vector<SentencePair> out;
  std::string line;
  int64_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    strip_cr(line);
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    check_line(path, lineno, line);
    const size_t tab = line.find('\t');
    if (tab == std::string::npos)
      throw FormatError(path + ":" + std::to_string(lineno) + ": no tab (expected source<TAB>target)");
    const size_t tab2 = line.find('\t', tab + 1);
    SentencePair p{line.substr(0, tab), line.substr(tab + 1, tab2 == std::string::npos ? std::string::npos : tab2 - tab - 1)};
    if (p.source.empty() || p.target.empty()) continue;
    out.push_back(std::move(p));
    if (max_pairs > 0 && static_cast<int64_t>(out.size()) >= max_pairs) break;
  }
  if (out.empty()) throw FormatError(path + ": no sentence pairs found");
  return out;
}

std::vector<SentencePair> read_line_pairs(const std::string& sp, const std::string& tp, int64_t max_pairs) {
  std::ifstream a = open_text(sp), b = open_text(tp);
  std::vector<SentencePair> out;
  std::string la, lb;
  int64_t lineno = 0;
  while (true) {
    const bool ga = static_cast<bool>(std::getline(a, la)), gb = static_cast<bool>(std::getline(b, lb));
    if (!ga && !gb) break;
    ++lineno;
    if (ga != gb)
      throw FormatError("line counts differ: '" + sp + "' and '" + tp + "' disagree at line " + std::to_string(lineno));
    strip_cr(la);
    strip_cr(lb);
    check_line(sp, lineno, la);
    check_line(tp, lineno, lb);
    if (la.empty() || lb.empty()) continue;
    out.push_back({la, lb});
    if (max_pairs > 0 && static_cast<int64_t>(out.size()) >= max_pairs) break;
  }
  if (out.empty()) throw FormatError("'" + sp + "': no sentence pairs found");
  return out;
}

std::vector<std::string> tokenize_words(const std::string& text, bool lowercase) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back(word), word.clear();
  };
  for (size_t i = 0; i < text.size();) {
    std::string ch = utf8_char_at(text, i);
    const unsigned char c = static_cast<unsigned char>(ch[0]);
    i += ch.size();
    if (lowercase) ch = lower_latin1(ch);
    if (ch.size() == 1 && std::isspace(c)) {
      flush();
    } else if (ch.size() > 1 || std::isalnum(c) || (c == '\'' && !word.empty())) {
      // Apostrophes inside words stay ("don't", "l'homme").
      word += ch;
    } else {
      flush();
      out.push_back(ch);
    }
  }
  flush();
  return out;
}

std::vector<std::string> tokenize_chars(const std::string& text, bool lowercase) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    std::string ch = utf8_char_at(text, i);
    i += ch.size();
    if (ch == " ") ch = "\xE2\x96\x81";  // ▁
    out.push_back(lowercase ? lower_latin1(ch) : ch);
  }
  return out;
}

std::string detokenize_words(const std::vector<std::string>& tokens) {
  std::string s;
  bool no_space_next = true;
  for (const auto& t : tokens) {
    const bool closing = t == "." || t == "," || t == "!" || t == "?" || t == ":" || t == ";" || t == ")" || t == "'";
    if (!no_space_next && !closing) s += ' ';
    s += t;
    no_space_next = t == "(" || t == "\"" ;
  }
  return s;
}

std::string detokenize_chars(const std::vector<std::string>& tokens) {
  std::string s;
  for (const auto& t : tokens) s += t == "\xE2\x96\x81" ? " " : t;
  return s;
}

Splits split_pairs(std::vector<SentencePair> pairs, double valid_fraction, double test_fraction, uint64_t seed) {
  if (valid_fraction < 0 || test_fraction < 0 || valid_fraction + test_fraction >= 1)
    throw ConfigError("split_pairs: fractions must be >= 0 and sum below 1");
  Rng rng(seed);
  for (size_t i = pairs.size(); i > 1; --i) std::swap(pairs[i - 1], pairs[rng.below(i)]);
  const size_t n = pairs.size();
  const size_t n_test = static_cast<size_t>(n * test_fraction), n_valid = static_cast<size_t>(n * valid_fraction);
  Splits s;
  s.test.assign(pairs.end() - n_test, pairs.end());
  s.valid.assign(pairs.end() - n_test - n_valid, pairs.end() - n_test);
  s.train.assign(pairs.begin(), pairs.end() - n_test - n_valid);
  return s;
}

}  // namespace attnscope::data
