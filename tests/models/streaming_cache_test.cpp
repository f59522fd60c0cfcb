// StreamingLLM's bounded cache (LlamaModel::stream_cache) and its reference
// (sliding_window_perplexity) on stories260K: a cache big enough for the text is full attention
// exactly; the cache never grows past sinks + window; past the context, perplexity is finite.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/focus/sink_tokens.h"
#include "attnscope/models/generate.h"
#include "attnscope/models/llama.h"
#include "attnscope/models/loader.h"
#include "attnscope/models/sliding_window.h"
#include "shared_data.h"

using attnscope::testing::stories_bin;

namespace fs = std::filesystem;
using namespace attnscope;
using namespace attnscope::models;

namespace {
std::vector<int32_t> text_ids(int64_t n) {  // a deterministic token walk over the vocabulary
  std::vector<int32_t> ids{1};
  for (int64_t i = 1; i < n; ++i) ids.push_back(static_cast<int32_t>(259 + (i * 37 + i / 7) % 240));
  return ids;
}
}  // namespace

TEST(StreamingCache, BigEnoughCacheIsFullAttentionExactly) {
  if (!fs::exists(stories_bin())) GTEST_SKIP() << "../shared/data is absent (real-data test)";
  auto m = load_model(stories_bin());
  const auto ids = text_ids(40);
  const auto full = perplexity(*m, ids);
  m->reset();
  const auto logits = m->forward(ids).values;
  m->stream_cache(4, 36);  // 4 + 36 = 40 tokens: nothing evicted
  m->reset();
  EXPECT_EQ(m->forward(ids).values, logits);  // bit for bit (slot = position)
  EXPECT_EQ(perplexity(*m, ids).perplexity, full.perplexity);
  EXPECT_EQ(sliding_window_perplexity(*m, ids, 40).perplexity, full.perplexity);
}

TEST(StreamingCache, BoundedPastTheContextAndFinite) {
  if (!fs::exists(stories_bin())) GTEST_SKIP() << "../shared/data is absent (real-data test)";
  auto m = load_model(stories_bin());
  auto* llama = dynamic_cast<LlamaModel*>(m.get());
  ASSERT_NE(llama, nullptr);
  const int64_t n = 2 * m->config().max_seq + 10;
  const auto ids = text_ids(n);
  m->stream_cache(4, 60);
  m->reset();
  int64_t most = 0;
  for (int64_t i = 0; i < n; i += 50) {
    const int64_t k = std::min<int64_t>(50, n - i);
    ASSERT_EQ(m->forward(std::span<const int32_t>(ids).subspan(i, k)).rows, k);
    most = std::max(most, llama->cached());
  }
  EXPECT_EQ(most, 64);
  EXPECT_EQ(m->position(), n);
  const double sinks = perplexity(*m, ids).perplexity;
  m->stream_cache(0, 64);
  const double window = perplexity(*m, ids).perplexity;
  EXPECT_TRUE(std::isfinite(sinks) && sinks > 1) << sinks;
  EXPECT_TRUE(std::isfinite(window) && window > 1) << window;
  EXPECT_NE(sinks, window);  // the sinks change what is kept
  EXPECT_THROW(m->stream_cache(10, m->config().max_seq), ValueError);
  EXPECT_THROW(m->stream_cache(4, 0), ValueError);
}

TEST(StreamingCache, SinkCount) {
  const std::vector<double> sink = {0.5, 0.01, 0.01, 0.01}, flat = {0.01, 0.01, 0.01, 0.01}, two = {0.3, 0.2, 0.01, 0.01};
  EXPECT_EQ(focus::sink_count(sink), 1);
  EXPECT_EQ(focus::sink_count(two), 2);
  EXPECT_EQ(focus::sink_count(flat), 1);
}
