#include "attnscope/core/half.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "attnscope/core/rng.h"

using namespace attnscope;

namespace {
// Reference: the nearest representable half by exhaustive neighbour comparison in double,
// ties to the even bit pattern.
bool is_nearest_even_f16(float x, uint16_t h) {
  if (std::isnan(x)) return std::isnan(f16_to_f32(h));
  const double v = x, got = f16_to_f32(h);
  if (std::isinf(got)) return std::fabs(v) >= 65520.0 && std::signbit(got) == std::signbit(x);
  for (int d : {-1, 1}) {
    const uint16_t nb = static_cast<uint16_t>(h + d);
    if ((nb & 0x7c00) == 0x7c00 || ((h & 0x7fff) == 0 && d < 0)) continue;
    const double alt = f16_to_f32(nb);
    const double e_got = std::fabs(v - got), e_alt = std::fabs(v - alt);
    if (e_alt < e_got) return false;
    if (e_alt == e_got && (h & 1)) return false;  // a tie must land on the even pattern
  }
  return true;
}
}  // namespace

TEST(Half, EveryF16RoundTripsThroughF32) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = f16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(f16_to_f32(f32_to_f16(f)))) << std::hex << h;
    } else {
      ASSERT_EQ(f32_to_f16(f), h) << std::hex << h;
    }
  }
}

TEST(Half, KnownValues) {
  EXPECT_EQ(f32_to_f16(1.0f), 0x3c00);
  EXPECT_EQ(f32_to_f16(-2.0f), 0xc000);
  EXPECT_EQ(f32_to_f16(65504.0f), 0x7bff);
  EXPECT_EQ(f32_to_f16(65519.0f), 0x7bff);
  EXPECT_EQ(f32_to_f16(65520.0f), 0x7c00);  // tie between max and "2^16" goes to inf (even)
  EXPECT_EQ(f32_to_f16(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_EQ(f32_to_f16(0x1p-24f), 0x0001);  // smallest subnormal
  EXPECT_EQ(f32_to_f16(0x1p-25f), 0x0000);  // tie to even: zero
  EXPECT_EQ(f32_to_f16(0x1.8p-25f), 0x0001);
  EXPECT_EQ(f32_to_f16(-0.0f), 0x8000);
  EXPECT_EQ(f32_to_f16(1.0f + 0x1p-11f), 0x3c00);  // tie, mantissa even -> down
  EXPECT_EQ(f32_to_f16(1.0f + 0x3p-11f), 0x3c02);  // tie, mantissa odd -> up
  EXPECT_TRUE(std::isnan(f16_to_f32(f32_to_f16(std::nanf("")))));
  EXPECT_FLOAT_EQ(f16_to_f32(0x3555), 0.333251953125f);
}

TEST(Half, RandomFloatsRoundToNearestEven) {
  attnscope::Rng rng(7);
  for (int i = 0; i < 200000; ++i) {
    uint32_t bits = static_cast<uint32_t>(rng.next_u64());
    // Bias towards the half range (exponents 100..145) where the interesting cases are.
    if (i % 2) bits = (bits & 0x807fffffu) | ((100u + static_cast<uint32_t>(rng.below(46))) << 23);
    float x;
    std::memcpy(&x, &bits, 4);
    ASSERT_TRUE(is_nearest_even_f16(x, f32_to_f16(x))) << std::hexfloat << x;
  }
}

TEST(Half, BFloat16) {
  EXPECT_EQ(f32_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(bf16_to_f32(0x3f80), 1.0f);
  // 1 + 2^-8 is a tie between 1 and 1 + 2^-7: rounds to even (1).
  EXPECT_EQ(f32_to_bf16(1.0f + 0x1p-8f), 0x3f80);
  EXPECT_EQ(f32_to_bf16(1.0f + 0x3p-8f), 0x3f82);
  EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::max()), 0x7f80);  // overflow -> inf
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(std::nanf("")))));
  for (uint32_t b = 0; b < 0x10000; ++b) {
    const float f = bf16_to_f32(static_cast<uint16_t>(b));
    if (!std::isnan(f)) {
      ASSERT_EQ(f32_to_bf16(f), b);
    }
  }
}
