#include "attnscope/data/token_offsets.h"

#include <cctype>

namespace attnscope::data {
namespace {

bool same_ascii_fold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// The token's own characters: without the spaces (or SentencePiece's "▁") that mark a word start.
std::string_view core(std::string_view s) {
  for (;;) {
    if (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
    else if (s.starts_with("\xE2\x96\x81")) s.remove_prefix(3);
    else return s;
  }
}

}  // namespace

std::vector<std::pair<int64_t, int64_t>> token_offsets(std::string_view text, const std::vector<std::string>& surfaces) {
  std::vector<std::pair<int64_t, int64_t>> out;
  out.reserve(surfaces.size());
  size_t pos = 0;
  for (const std::string& s : surfaces) {
    const std::string_view c = core(s);
    size_t at = std::string_view::npos;
    if (!c.empty()) {
      // Next to the previous token (past whitespace), else further on (after text a normalizer
      // changed, whose tokens were not found).
      size_t p = pos;
      while (p < text.size() && std::isspace(static_cast<unsigned char>(text[p]))) ++p;
      for (; at == std::string_view::npos && p + c.size() <= text.size(); ++p)
        if (text.compare(p, c.size(), c) == 0 || same_ascii_fold(text.substr(p, c.size()), c)) at = p;
    }
    if (at == std::string_view::npos) {
      out.emplace_back(-1, -1);
      continue;
    }
    out.emplace_back(static_cast<int64_t>(at), static_cast<int64_t>(at + c.size()));
    pos = at + c.size();
  }
  return out;
}

}  // namespace attnscope::data
