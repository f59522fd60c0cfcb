// Parallel text for translation: readers (TSV "source<TAB>target", or two line-aligned files as
// in Multi30k), word- and character-level tokenization, length filters and seeded splits.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::data {

struct SentencePair {
  std::string source, target;
};

// Lines longer than this are rejected as malformed (a binary or wrong file, not a sentence).
inline constexpr size_t kMaxLineBytes = 1 << 16;

// "source<TAB>target[<TAB>ignored...]" per line; empty lines are skipped; a non-empty line
// without a tab, an over-long line, or invalid UTF-8 -> FormatError naming the line. max_pairs 0 = all.
std::vector<SentencePair> read_tsv(const std::string& path, int64_t max_pairs = 0);
// Two line-aligned files; line counts must agree. Pairs with an empty side are skipped.
std::vector<SentencePair> read_line_pairs(const std::string& source_path, const std::string& target_path,
                                          int64_t max_pairs = 0);

// Words: letters/digits runs (UTF-8 aware: any byte >= 0x80 counts as a letter), each other
// non-space character alone; optional lower-casing of ASCII and Latin-1 letters.
std::vector<std::string> tokenize_words(const std::string& text, bool lowercase = true);
// UTF-8 characters, spaces kept as "▁" so that detokenization is exact.
std::vector<std::string> tokenize_chars(const std::string& text, bool lowercase = true);
// Inverse of the word tokenizer for display and BLEU: joins with spaces, no space before
// closing punctuation or after opening.
std::string detokenize_words(const std::vector<std::string>& tokens);
std::string detokenize_chars(const std::vector<std::string>& tokens);

struct Splits {
  std::vector<SentencePair> train, valid, test;
};
// Shuffles with the seed and cuts valid/test fractions off the end.
Splits split_pairs(std::vector<SentencePair> pairs, double valid_fraction, double test_fraction, uint64_t seed);

}  // namespace attnscope::data
