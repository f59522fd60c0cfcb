// Small UTF-8 helpers shared by the text readers, the date task and the text metrics.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace attnscope::data {

// Byte length of the UTF-8 character starting with lead byte c; 0 for a byte that cannot start
// one (a continuation byte or 0xF8..0xFF).
inline size_t utf8_char_len(unsigned char c) {
  return c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
}

// Whether s is well-formed UTF-8 in the lead/continuation-byte sense (what the JSON writer of
// checkpoints, traces and reports will accept).
inline bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const size_t len = utf8_char_len(static_cast<unsigned char>(s[i]));
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += len;
  }
  return true;
}

// s with its ASCII letters lowered; bytes of multi-byte characters are left as they are.
inline std::string ascii_lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// The character of s starting at i (one byte for an invalid or truncated sequence).
inline std::string utf8_char_at(const std::string& s, size_t i) {
  size_t len = utf8_char_len(static_cast<unsigned char>(s[i]));
  if (len == 0 || i + len > s.size()) len = 1;
  return s.substr(i, len);
}

// Lower-cases one character: ASCII, and the Latin-1 capitals À..Þ (U+00C0..U+00DE except ×).
inline std::string lower_latin1(std::string ch) {
  if (ch.size() == 1) {
    if (ch[0] >= 'A' && ch[0] <= 'Z') ch[0] = static_cast<char>(ch[0] - 'A' + 'a');
  } else if (ch.size() == 2 && static_cast<unsigned char>(ch[0]) == 0xC3) {
    const unsigned char b = static_cast<unsigned char>(ch[1]);
    if (b >= 0x80 && b <= 0x9E && b != 0x97) ch[1] = static_cast<char>(b + 0x20);
  }
  return ch;
}

// Terminal columns of s: 2 for East Asian wide and fullwidth characters (CJK, Hangul, fullwidth
// forms), 0 for combining diacritics (U+0300..U+036F), 1 otherwise; for padding aligned columns.
inline size_t utf8_display_width(const std::string& s) {
  size_t cols = 0;
  for (size_t i = 0; i < s.size();) {
    size_t len = utf8_char_len(static_cast<unsigned char>(s[i]));
    if (len == 0 || i + len > s.size()) len = 1;
    uint32_t cp = len == 1 ? static_cast<unsigned char>(s[i]) : static_cast<unsigned char>(s[i]) & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
                      (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
    cols += (cp >= 0x300 && cp <= 0x36F) ? 0 : wide ? 2 : 1;
    i += len;
  }
  return cols;
}

}  // namespace attnscope::data
