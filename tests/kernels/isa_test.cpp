#include "attnscope/kernels/isa.h"

#include <gtest/gtest.h>

#include "attnscope/core/error.h"

namespace attnscope::kernels {
namespace {

TEST(Isa, NamesRoundTrip) {
  for (Isa isa : {Isa::scalar, Isa::avx2, Isa::avx512}) EXPECT_EQ(parse_isa(isa_name(isa)), isa);
  EXPECT_THROW(parse_isa("sse9"), ConfigError);
  EXPECT_THROW(parse_isa(""), ConfigError);
}

TEST(Isa, SupportedListStartsWithScalarAndEndsWithDetected) {
  const auto isas = supported_isas();
  ASSERT_FALSE(isas.empty());
  EXPECT_EQ(isas.front(), Isa::scalar);
  EXPECT_EQ(isas.back(), detected_isa());
  EXPECT_TRUE(isa_supported(Isa::scalar));
  if (cpu_has_avx512_bf16()) {
    EXPECT_TRUE(isa_supported(Isa::avx512));
  }
}

TEST(Isa, SetActiveAcceptsSupportedAndRejectsOthers) {
  const Isa saved = active_isa();
  for (Isa isa : supported_isas()) {
    set_active_isa(isa);
    EXPECT_EQ(active_isa(), isa);
  }
  for (Isa isa : {Isa::avx2, Isa::avx512}) {
    if (!isa_supported(isa)) {
      EXPECT_THROW(set_active_isa(isa), ConfigError);
    }
  }
  set_active_isa(saved);
}

}  // namespace
}  // namespace attnscope::kernels
