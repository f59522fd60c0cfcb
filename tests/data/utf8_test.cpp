// The UTF-8 helpers: terminal display width (used to align the demo's columns).
#include <gtest/gtest.h>

#include "attnscope/data/utf8.h"

namespace attnscope::data {
namespace {

TEST(Utf8, DisplayWidthCountsWideCharactersTwiceAndCombiningMarksNever) {
  EXPECT_EQ(utf8_display_width(""), 0u);
  EXPECT_EQ(utf8_display_width("03/04/99"), 8u);
  EXPECT_EQ(utf8_display_width("3 avril 1999"), 12u);
  EXPECT_EQ(utf8_display_width("d\xC3\xA9""cembre"), 8u);       // é precomposed: one column
  EXPECT_EQ(utf8_display_width("de\xCC\x81""cembre"), 8u);      // e + U+0301: still eight
  EXPECT_EQ(utf8_display_width("1999\xE5\xB9\xB4""4\xE6\x9C\x88""3\xE6\x97\xA5"), 12u);  // 1999年4月3日
  EXPECT_EQ(utf8_display_width("\xED\x95\x9C"), 2u);            // 한 (Hangul)
  EXPECT_EQ(utf8_display_width("\xEF\xBC\xA1"), 2u);            // Ａ (fullwidth A)
  EXPECT_EQ(utf8_display_width("\xF0\xA0\x80\x80"), 2u);        // U+20000 (CJK ext. B)
  EXPECT_EQ(utf8_display_width("\xE2\x86\x90"), 1u);            // ← is narrow
  EXPECT_EQ(utf8_display_width("a\xFF" "b"), 3u);               // an invalid byte counts as one
  EXPECT_EQ(utf8_display_width("\xE5\xB9"), 2u);                // truncated sequence: byte by byte
}

}  // namespace
}  // namespace attnscope::data
