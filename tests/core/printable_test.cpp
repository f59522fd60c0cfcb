// core/printable: control bytes from files never reach the terminal raw (issue 17 item 12).
#include <gtest/gtest.h>

#include "attnscope/core/printable.h"

namespace attnscope {
namespace {

TEST(EscapeControls, C0C1AndDelAreVisibleOtherUtf8Stays) {
  EXPECT_EQ(escape_controls("layer\x1b[2Jname"), "layer\\x1b[2Jname");
  EXPECT_EQ(escape_controls("a\nb\tc\x7f"), "a\\nb\\tc\\x7f");
  EXPECT_EQ(escape_controls("csi\xc2\x9b" "31m"), "csi\\u009b31m");  // U+009B, the 8-bit CSI
  EXPECT_EQ(escape_controls("déjà vu ▁the 日本"), "déjà vu ▁the 日本");
  EXPECT_EQ(escape_controls(""), "");
}

}  // namespace
}  // namespace attnscope
