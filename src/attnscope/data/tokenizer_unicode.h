// Unicode for tokenizers, hand-written (no ICU): UTF-8 decoding/encoding, general categories,
// full lowercase mapping and canonical decomposition (NFD). The tables are generated from
// Python's unicodedata by tokenizer_unicode_gen.py into tokenizer_unicode_tables.cpp.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope::data {

// Unicode general categories (the order matches the generator's CATS list).
enum class Category : uint8_t {
  Cn, Lu, Ll, Lt, Lm, Lo, Mn, Mc, Me, Nd, Nl, No, Pc, Pd, Ps,
  Pe, Pi, Pf, Po, Sm, Sc, Sk, So, Zs, Zl, Zp, Cc, Cf, Cs, Co
};

Category category(char32_t cp);
inline bool is_letter(char32_t cp) {
  auto c = category(cp);
  return c >= Category::Lu && c <= Category::Lo;
}
inline bool is_number(char32_t cp) {
  auto c = category(cp);
  return c >= Category::Nd && c <= Category::No;
}
inline bool is_punctuation_category(char32_t cp) {
  auto c = category(cp);
  return c >= Category::Pc && c <= Category::Po;
}
// The Unicode White_Space property (what \s matches in the GPT-2 pre-tokenizer regex).
bool is_white_space(char32_t cp);

// Full lowercase mapping (may expand: U+0130 -> "i\u0307"); appends to out.
void append_lower(char32_t cp, std::u32string& out);
// Full canonical decomposition (NFD of one code point, without reordering); appends to out.
void append_nfd(char32_t cp, std::u32string& out);

// Decodes UTF-8; each invalid byte becomes U+FFFD (and is counted in *invalid when given).
std::u32string utf8_decode(std::string_view s, size_t* invalid = nullptr);
void utf8_append(char32_t cp, std::string& out);
std::string utf8_encode(std::u32string_view s);
// Length in bytes of the UTF-8 sequence starting with byte b (1 for invalid lead bytes).
inline size_t utf8_len(unsigned char b) {
  if (b < 0x80) return 1;
  if ((b & 0xE0) == 0xC0) return 2;
  if ((b & 0xF0) == 0xE0) return 3;
  if ((b & 0xF8) == 0xF0) return 4;
  return 1;
}

namespace unicode_tables {
struct CategoryRange {
  char32_t start;
  uint8_t cat;
};
struct SeqEntry {
  char32_t cp;
  uint32_t offset, length;
};
extern const char* const kUnicodeVersion;
extern const CategoryRange kCategoryRanges[];
extern const size_t kCategoryRangeCount;
extern const char32_t kLowercasePool[];
extern const SeqEntry kLowercase[];
extern const size_t kLowercaseCount;
extern const char32_t kDecompositionPool[];
extern const SeqEntry kDecomposition[];
extern const size_t kDecompositionCount;
}  // namespace unicode_tables

}  // namespace attnscope::data
