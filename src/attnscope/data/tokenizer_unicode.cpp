// Unicode lookups over the generated tables (binary search), UTF-8 codec, Hangul decomposition.
#include "attnscope/data/tokenizer_unicode.h"

#include <algorithm>

namespace attnscope::data {

using namespace unicode_tables;

Category category(char32_t cp) {
  if (cp > 0x10FFFF) return Category::Cn;
  const CategoryRange* end = kCategoryRanges + kCategoryRangeCount;
  // Last range whose start <= cp.
  const CategoryRange* it =
      std::upper_bound(kCategoryRanges, end, cp, [](char32_t v, const CategoryRange& r) { return v < r.start; });
  return static_cast<Category>((it - 1)->cat);
}

bool is_white_space(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

static const SeqEntry* find_seq(const SeqEntry* table, size_t n, char32_t cp) {
  const SeqEntry* end = table + n;
  const SeqEntry* it = std::lower_bound(table, end, cp, [](const SeqEntry& e, char32_t v) { return e.cp < v; });
  return (it != end && it->cp == cp) ? it : nullptr;
}

void append_lower(char32_t cp, std::u32string& out) {
  if (cp < 0x80) {
    out.push_back(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
    return;
  }
  if (const SeqEntry* e = find_seq(kLowercase, kLowercaseCount, cp))
    out.append(kLowercasePool + e->offset, e->length);
  else
    out.push_back(cp);
}

void append_nfd(char32_t cp, std::u32string& out) {
  if (cp < 0xC0) {
    out.push_back(cp);
    return;
  }
  // Hangul syllables decompose algorithmically (Unicode 3.12): L V [T].
  constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
  constexpr char32_t kTCount = 28, kNCount = 588, kSCount = 11172;
  if (cp >= kSBase && cp < kSBase + kSCount) {
    const char32_t s = cp - kSBase;
    out.push_back(kLBase + s / kNCount);
    out.push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount) out.push_back(kTBase + s % kTCount);
    return;
  }
  if (const SeqEntry* e = find_seq(kDecomposition, kDecompositionCount, cp))
    out.append(kDecompositionPool + e->offset, e->length);
  else
    out.push_back(cp);
}

std::u32string utf8_decode(std::string_view s, size_t* invalid) {
  std::u32string out;
  out.reserve(s.size());
  size_t bad = 0;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const size_t n = utf8_len(b);
    char32_t cp = 0;
    bool ok = (n == 1) ? b < 0x80 : i + n <= s.size();
    if (ok && n > 1) {
      cp = b & (0x7F >> n);
      for (size_t k = 1; k < n; ++k) {
        const auto c = static_cast<unsigned char>(s[i + k]);
        if ((c & 0xC0) != 0x80) { ok = false; break; }
        cp = (cp << 6) | (c & 0x3F);
      }
      // Reject overlong forms, surrogates and values past U+10FFFF.
      static constexpr char32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
      if (ok && (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    } else if (ok) {
      cp = b;
    }
    if (!ok) {
      out.push_back(0xFFFD);
      ++bad;
      ++i;
      continue;
    }
    out.push_back(cp);
    i += n;
  }
  if (invalid) *invalid = bad;
  return out;
}

void utf8_append(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string utf8_encode(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t cp : s) utf8_append(cp, out);
  return out;
}

}  // namespace attnscope::data
