// plain_message: a library's tag is not part of a message a user reads.
#include "attnscope/core/error.h"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace attnscope;

TEST(PlainMessage, DropsTheJsonLibrarysTag) {
  EXPECT_EQ(plain_message(std::runtime_error("[json.exception.type_error.302] type must be boolean, but is number")),
            "type must be boolean, but is number");
  EXPECT_EQ(plain_message(std::runtime_error("cannot open 'x'")), "cannot open 'x'");
  EXPECT_EQ(plain_message(std::runtime_error("[json.exception.odd")), "[json.exception.odd");  // no "] ": kept whole
}
