// Head pruning (models/head_pruning.h, Model::prune_heads, MultiHeadAttention::prune_heads):
// pruning nothing is the unpruned model bit for bit; a pruned head gives the ablated model's
// output (only summation order differs); the least-important choice; bad masks are refused.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "attnscope/attention/multi_head.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/core/error.h"
#include "attnscope/core/rng.h"
#include "attnscope/models/head_pruning.h"
#include "attnscope/models/loader.h"
#include "shared_data.h"

using attnscope::testing::stories_bin;

namespace fs = std::filesystem;
using namespace attnscope;
using namespace attnscope::models;

namespace {

const std::vector<int32_t> kIds = {1, 403, 407, 261, 378, 426, 281, 338, 370, 285, 259, 271, 307, 290, 46};

std::vector<float> logits(Model& m, std::span<const int32_t> ids) {
  m.reset();
  return m.forward(ids).values;
}

}  // namespace

TEST(HeadPruning, LeastImportantHeads) {
  const std::vector<double> imp = {3, 1, 2, 0};
  EXPECT_EQ(least_important_heads(imp, 0.5), (std::vector<uint8_t>{0, 1, 0, 1}));
  EXPECT_EQ(least_important_heads(imp, 0), (std::vector<uint8_t>{0, 0, 0, 0}));
  EXPECT_EQ(least_important_heads(imp, 1), (std::vector<uint8_t>{1, 1, 1, 1}));
  EXPECT_THROW(least_important_heads(imp, 1.5), ValueError);
}

TEST(HeadPruning, LlamaPrunedEqualsAblatedAndNothingPrunedIsExact) {
  if (!fs::exists(stories_bin())) GTEST_SKIP() << "../shared/data is absent (real-data test)";
  auto m = load_model(stories_bin());
  const int64_t L = m->config().n_layers, H = m->config().n_heads;
  ASSERT_LT(m->config().n_kv_heads, H) << "stories260K has grouped-query heads: whole kv groups get skipped";
  const std::vector<float> base = logits(*m, kIds);
  m->prune_heads(std::vector<uint8_t>(L * H, 0));
  EXPECT_EQ(logits(*m, kIds), base);  // bit for bit
  // Layer 0: heads 0 and 1 (a whole kv group) and 5; layer 3: head 7; last layer: all.
  std::vector<uint8_t> mask(L * H, 0);
  for (int64_t h : {0, 1, 5}) mask[h] = 1;
  mask[3 * H + 7] = 1;
  for (int64_t h = 0; h < H; ++h) mask[(L - 1) * H + h] = 1;
  m->prune_heads(mask);
  const std::vector<float> pruned = logits(*m, kIds);
  // Incremental decoding over the pruned cache equals the one-shot pruned forward.
  m->reset();
  std::vector<float> steps;
  for (int32_t id : kIds) {
    const auto out = m->forward(std::span<const int32_t>(&id, 1)).values;
    steps.insert(steps.end(), out.begin(), out.end());
  }
  m->prune_heads({});
  m->ablate_heads(mask);
  const std::vector<float> ablated = logits(*m, kIds);
  ASSERT_EQ(pruned.size(), ablated.size());
  double worst = 0, moved = 0;
  for (size_t i = 0; i < pruned.size(); ++i) {
    worst = std::max(worst, std::abs(static_cast<double>(pruned[i]) - ablated[i]));
    worst = std::max(worst, std::abs(static_cast<double>(steps[i]) - pruned[i]));
    moved = std::max(moved, std::abs(static_cast<double>(pruned[i]) - base[i]));
  }
  EXPECT_LT(worst, 1e-4);
  EXPECT_GT(moved, 1e-2) << "the mask must change the output for the comparison to mean anything";
  EXPECT_THROW(m->prune_heads(std::vector<uint8_t>(3, 1)), ValueError);
}

TEST(HeadPruning, MultiHeadPrunedEqualsZeroedValues) {
  autograd::NoGrad ng;
  Rng rng(7);
  attention::MultiHeadConfig c;
  c.dim = 24;
  c.num_heads = 4;
  c.causal = true;
  attention::MultiHeadAttention a(c, rng), b(c, rng);
  {
    const auto pa = a.parameters(), pb = b.parameters();
    for (size_t i = 0; i < pa.size(); ++i) Tensor(pb[i]).copy_from(pa[i]);
  }
  const Tensor x = Tensor::randn(Shape{2, 5, 24}, rng);
  const Tensor full = a.forward(x).context;
  a.prune_heads({0, 0, 0, 0});
  EXPECT_EQ(a.kept_heads(), 4);
  EXPECT_EQ(a.forward(x).context.to_vector(), full.to_vector());  // bit for bit
  // Ablation by zeroing head 2's values (its context is then exactly 0) vs pruning head 2.
  Tensor vwt = b.v_proj().weight(), vbt = b.v_proj().bias();
  float* vw = vwt.data<float>();
  float* vb = vbt.data<float>();
  const int64_t HS = 6;
  for (int64_t r = 2 * HS; r < 3 * HS; ++r) {
    for (int64_t i = 0; i < 24; ++i) vw[r * 24 + i] = 0;
    vb[r] = 0;
  }
  a.prune_heads({0, 0, 1, 0});
  EXPECT_EQ(a.kept_heads(), 3);
  const auto pruned = a.forward(x).context.to_vector(), ablated = b.forward(x).context.to_vector();
  const auto unpruned = full.to_vector();
  double worst = 0, moved = 0;
  for (size_t i = 0; i < pruned.size(); ++i) {
    worst = std::max(worst, std::abs(static_cast<double>(pruned[i]) - ablated[i]));
    moved = std::max(moved, std::abs(static_cast<double>(pruned[i]) - unpruned[i]));
  }
  EXPECT_LT(worst, 1e-5);
  EXPECT_GT(moved, 1e-3);
  // Every head pruned: the layer adds o_proj's bias only.
  a.prune_heads({1, 1, 1, 1});
  const auto none = a.forward(x).context.to_vector();
  const auto bias = a.o_proj().bias().to_vector();
  for (size_t i = 0; i < none.size(); ++i) ASSERT_EQ(none[i], bias[i % 24]);
  EXPECT_THROW(a.prune_heads({1, 0}), ShapeError);
  attention::MultiHeadConfig g = c;
  g.num_kv_heads = 2;
  attention::MultiHeadAttention gqa(g, rng);
  EXPECT_THROW(gqa.prune_heads({1, 0, 0, 0}), ConfigError);
}
