#include "attnscope/io/word_alignments.h"

#include <charconv>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"

namespace attnscope::io {

namespace {

// One index: digits only, in [base, kMaxAlignmentIndex + base].
bool parse_index(std::string_view s, int base, int& out) {
  if (s.empty() || s.size() > 9) return false;
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < base || v - base > kMaxAlignmentIndex) return false;
  out = v - base;
  return true;
}

}  // namespace

std::vector<SentenceAlignment> parse_word_alignments(std::string_view text, int base, const std::string& where) {
  if (base != 0 && base != 1) throw ConfigError("word alignments: the index base must be 0 or 1, got " + std::to_string(base));
  std::vector<SentenceAlignment> out;
  size_t pos = 0;
  int64_t line_no = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    SentenceAlignment sa;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i >= line.size()) break;
      size_t j = i;
      while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
      const std::string_view link = line.substr(i, j - i);
      i = j;
      const size_t sep = link.find_first_of("-p");
      int a = 0, b = 0;
      if (sep == std::string_view::npos || !parse_index(link.substr(0, sep), base, a) ||
          !parse_index(link.substr(sep + 1), base, b))
        throw FormatError(where + ":" + std::to_string(line_no) + ": '" + std::string(link.substr(0, 40)) +
                          "' is not a link i-j or ipj with indices from " + std::to_string(base) + " to " +
                          std::to_string(kMaxAlignmentIndex + base));
      if (link[sep] == '-') {
        sa.sure.insert({a, b});
        sa.possible.erase({a, b});
      } else if (!sa.sure.count({a, b})) {
        sa.possible.insert({a, b});
      }
    }
    out.push_back(std::move(sa));
  }
  return out;
}

std::vector<SentenceAlignment> read_word_alignments(const std::string& path, int base) {
  return parse_word_alignments(read_file(path), base, path);
}

}  // namespace attnscope::io
