#include "attnscope/serve/binary_block.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "attnscope/serve/f16.h"
#include "test_util.h"

using namespace attnscope;
using serve::float_to_half;
using serve::half_to_float;

TEST(F16, KnownValuesAndRounding) {
  EXPECT_EQ(float_to_half(0.0f), 0x0000);
  EXPECT_EQ(float_to_half(-0.0f), 0x8000);
  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(0.5f), 0x3800);
  EXPECT_EQ(float_to_half(65504.0f), 0x7bff);
  EXPECT_EQ(float_to_half(1e6f), 0x7c00);
  EXPECT_EQ(float_to_half(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_TRUE(std::isnan(half_to_float(float_to_half(std::nanf("")))));
  EXPECT_EQ(float_to_half(5.9604645e-8f), 0x0001);  // smallest subnormal
  EXPECT_EQ(float_to_half(1.0f + 1.0f / 2048), 0x3c00);  // tie -> even
  EXPECT_EQ(float_to_half(1.0f + 3.0f / 2048), 0x3c02);  // tie -> even (up)
  // every half round-trips exactly
  for (uint32_t h = 0; h < 0x7c00; ++h) ASSERT_EQ(float_to_half(half_to_float(h)), h) << h;
}

TEST(F16, RelativeErrorIsBounded) {
  for (float v = 1e-4f; v < 1.0f; v *= 1.01f)
    EXPECT_LE(std::fabs(half_to_float(float_to_half(v)) - v) / v, 1.0f / 2048) << v;
}

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
