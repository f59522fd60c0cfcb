// Word alignment files in the Pharaoh format (Moses, fast_align, awesome-align, the WPT gold
// sets): one line per sentence pair, space-separated links "i-j" (sure) or "ipj" (possible),
// source index first. Files count from 0 (predictions) or 1 (most gold sets): `base` says which.
// An untrusted parser: malformed links, indices below the base or beyond kMaxAlignmentIndex
// are a FormatError naming the line and the link (fuzz/fuzz_word_alignments.cpp).
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace attnscope::io {

inline constexpr int kMaxAlignmentIndex = 100000;  // tokens per sentence

struct SentenceAlignment {
  std::set<std::pair<int, int>> sure, possible;  // (source, target), 0-based; possible excludes sure
};

std::vector<SentenceAlignment> parse_word_alignments(std::string_view text, int base, const std::string& where);
// Reads a file (FormatError / IoError naming it).
std::vector<SentenceAlignment> read_word_alignments(const std::string& path, int base);

}  // namespace attnscope::io
