#include "attnscope/serve/binary_block.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "test_util.h"

using namespace attnscope;

TEST(BinaryBlock, EncodesAlignedTypedArrays) {
  serve::BinaryBlock b(nlohmann::json{{"layer", 3}});
  const std::vector<float> f = {0.25f, 1.0f, 0.0f};
  const std::vector<int32_t> i = {-1, 7};
  b.add_f16("h", {3}, f);
  b.add_i32("i", {2}, i);
  b.add_u8("u", {3}, f);
  b.add_f32("f", {1, 3}, f);
  const auto d = test::decode_block(b.encode());
  EXPECT_EQ(d.header["layer"], 3);
  for (const auto& a : d.header["arrays"]) EXPECT_EQ(a["offset"].get<size_t>() % 4, 0u);
  EXPECT_EQ(d.floats("h"), f);
  EXPECT_EQ(d.ints("i"), i);
  EXPECT_EQ(d.floats("f"), f);
  EXPECT_EQ(d.array("u")["scale"], 1.0f);
  EXPECT_NEAR(d.floats("u")[0], 0.25f, 1.0f / 255);
}
