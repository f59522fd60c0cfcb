// Small UTF-8 helpers shared by the text readers, the date task and the text metrics.
#pragma once
#include <cstddef>
#include <string>

namespace attnscope::data {

// Byte length of the UTF-8 character starting with lead byte c; 0 for a byte that cannot start
// one (a continuation byte or 0xF8..0xFF).
inline size_t utf8_char_len(unsigned char c) {
  return c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
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

}  // namespace attnscope::data
