// Translation: batching, decoding, checkpoint round trip, resume on the same loss curve, and
// learning the built-in date task with attention.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/models/translate/train_translate.h"

namespace attnscope::models {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("attnscope_tr_" + name)).string();
}

TEST(Translate, MakeBatchPadsAndShifts) {
  Batch b = make_batch({{5, 6, 7}, {8}}, {{9, 10}, {11}});
  EXPECT_EQ(b.S, 3);
  EXPECT_EQ(b.T, 3);
  EXPECT_EQ(b.src, (std::vector<int64_t>{5, 6, 7, 8, 0, 0}));
  EXPECT_EQ(b.src_len, (std::vector<int32_t>{3, 1}));
  EXPECT_EQ(b.tgt_in, (std::vector<int64_t>{2, 9, 10, 2, 11, 0}));
  EXPECT_EQ(b.tgt_out, (std::vector<int64_t>{9, 10, 3, 11, 3, kIgnore}));
  EXPECT_THROW(make_batch({}), ShapeError);
}

TEST(Translate, DatesLearnedWithAdditiveAttention) {
  TranslateTrainOptions opt;
  opt.steps = std::getenv("ATTNSCOPE_QUICK") ? 300 : 1500;
  opt.quiet = true;
  opt.model_config = {{"embed", 32}, {"hidden", 64}, {"attention", "additive"}};
  auto res = train_translation(opt);
  auto ev = evaluate_dates(*res.translator, res.held_out, {});
  std::printf("dates: exact=%.1f%% alignment=%.1f%% steps=%lld in %.1fs (%.0f tokens/s)\n", 100 * ev.exact,
              100 * ev.alignment, static_cast<long long>(res.steps), res.seconds, res.tokens_per_second);
  EXPECT_LT(res.losses.back(), res.losses.front() / 10);
}

}  // namespace
}  // namespace attnscope::models
