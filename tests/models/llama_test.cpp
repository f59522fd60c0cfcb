// stories260K (a real pretrained Llama-architecture model) through our loader, from both the
// llama2.c .bin and the .safetensors copy: golden perplexity, the 256-token greedy sample, and
// every attention probability of the golden sentence against the reference file.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/attention/recorder.h"
#include "attnscope/models/generate.h"
#include "attnscope/models/loader.h"
#include "attnscope/models/pipeline.h"
#include "attnscope/io/trace_io.h"
#include "shared_data.h"

namespace fs = std::filesystem;
using namespace attnscope;
using namespace attnscope::models;

namespace {

using attnscope::testing::stories_dir;

class Stories : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (!fs::exists(stories_dir())) GTEST_SKIP() << "../shared/data is absent (real-data test)";
    model_ = load_model(stories_dir() + "/" + GetParam());
    tok_ = load_model_tokenizer(stories_dir() + "/" + GetParam());
  }
  std::unique_ptr<Model> model_;
  std::unique_ptr<data::Tokenizer> tok_;
};

}  // namespace

TEST_P(Stories, GoldenPerplexity) {
  const auto ids = tok_->encode(attnscope::testing::kStoriesSentence, true);
  ASSERT_EQ(ids.size(), 35u);
  const Perplexity p = perplexity(*model_, ids);
  EXPECT_EQ(p.tokens, 35);
  EXPECT_NEAR(p.perplexity, 4.953633, 1e-5);
  EXPECT_NEAR(p.nll_sum, 54.404121, 1e-4);
}

TEST_P(Stories, Greedy256MatchesReference) {
  std::ifstream in(stories_dir() + "/reference/greedy_256_ids.txt");
  std::vector<int32_t> want;
  for (int32_t id; in >> id;) want.push_back(id);
  ASSERT_EQ(want.size(), 256u);
  const int32_t bos[1] = {1};
  const auto got = generate(*model_, bos, 256, SamplingOptions{}, -1, nullptr);
  EXPECT_EQ(got, want);
  std::string text;
  int32_t prev = 1;
  for (int32_t id : got) {
    text += tok_->decode_step(prev, id);
    prev = id;
  }
  std::string ref = read_file(stories_dir() + "/reference/greedy_256_text.txt");
  while (!ref.empty() && ref.back() == '\n') ref.pop_back();
  EXPECT_EQ(text, ref);
}

TEST_P(Stories, AttentionMatchesReference) {
  const auto ref = nlohmann::json::parse(read_file(stories_dir() + "/reference/attention_golden_sentence.json"));
  std::vector<int32_t> ids = ref["token_ids"].get<std::vector<int32_t>>();
  ids.pop_back();  // the last id is only a target
  attention::Recorder cap(attention::Keep::dense());
  model_->reset();
  model_->forward(ids, &cap);
  const io::Trace trace = cap.to_trace();
  ASSERT_EQ(trace.layers.size(), 5u);
  double worst = 0;
  int64_t rows = 0;
  for (int l = 0; l < 5; ++l) {
    const auto& tl = trace.layers[l];
    ASSERT_EQ(tl.heads, 8);
    ASSERT_EQ(tl.queries, 34);
    for (int h = 0; h < 8; ++h)
      for (int q = 0; q < 34; ++q) {
        const auto& row = ref["attention"][l][h][q];
        ASSERT_EQ(row.size(), static_cast<size_t>(q + 1));
        for (int k = 0; k < 34; ++k) {
          const double want = k <= q ? row[k].get<double>() : 0.0;
          worst = std::max(worst, std::abs(tl.weights[(h * 34 + q) * 34 + k] - want));
        }
        ++rows;
      }
  }
  EXPECT_EQ(rows, 5 * 8 * 34);
  EXPECT_LT(worst, 1e-5) << "largest attention difference";
  RecordProperty("max_attention_abs_diff", std::to_string(worst));
}

TEST_P(Stories, StepwiseDecodingGivesTheSameTrace) {
  const auto ids = tok_->encode(attnscope::testing::kStoriesSentence, true);
  attention::Recorder full(attention::Keep::topk(3)), steps(attention::Keep::topk(3));
  model_->reset();
  const ModelOutput all = model_->forward(ids, &full);
  model_->reset();
  ModelOutput last;
  for (int32_t id : ids) last = model_->forward(std::span<const int32_t>(&id, 1), &steps);
  const auto a = full.to_trace(), b = steps.to_trace();
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t l = 0; l < a.layers.size(); ++l) {
    EXPECT_EQ(a.layers[l].topk_index, b.layers[l].topk_index);
    for (size_t i = 0; i < a.layers[l].topk_weight.size(); ++i)
      EXPECT_NEAR(a.layers[l].topk_weight[i], b.layers[l].topk_weight[i], 1e-5);
    EXPECT_EQ(a.layers[l].argmax, b.layers[l].argmax);
  }
  for (int64_t v = 0; v < all.cols; ++v) EXPECT_NEAR(last.values[v], all.values[(all.rows - 1) * all.cols + v], 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Formats, Stories, ::testing::Values("stories260K.bin", "stories260K.safetensors"),
                         [](const auto& info) { return std::string(info.param).find(".bin") != std::string::npos ? std::string("bin") : std::string("safetensors"); });

TEST(StoriesErrors, ContextAndVocabulary) {
  if (!fs::exists(stories_dir())) GTEST_SKIP() << "../shared/data is absent (real-data test)";
  auto model = load_model(stories_dir() + "/stories260K.bin");
  std::vector<int32_t> too_long(513, 5);
  EXPECT_THROW(model->forward(too_long), ValueError);
  model->reset();
  std::vector<int32_t> bad = {1, 512};
  EXPECT_THROW(model->forward(bad), ValueError);
}

TEST(StoriesErrors, TruncatedCheckpointAndLongText) {
  if (!fs::exists(stories_dir())) GTEST_SKIP() << "../shared/data is absent (real-data test)";
  const fs::path tmp = fs::path(ATTNSCOPE_BINARY_DIR) / ("stories_cut_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  fs::create_directories(tmp);
  const std::string bytes = read_file(stories_dir() + "/stories260K.bin");
  write_file_atomic((tmp / "cut.bin").string(), std::string_view(bytes).substr(0, bytes.size() - 100));
  try {
    load_model((tmp / "cut.bin").string());
    ADD_FAILURE() << "no error";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("the file has"), std::string::npos) << e.what();
  }
  fs::remove_all(tmp);
  auto p = open_pipeline(stories_dir());
  std::string text;
  for (int i = 0; i < 200; ++i) text += "the cat sat. ";
  try {
    encode_input(p, text);
    ADD_FAILURE() << "no error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("longer than the model's context of 512"), std::string::npos) << e.what();
  }
}

// --capture dense,qk,next:5 on a real model: the recorded query/key vectors reproduce every
// recorded weight (softmax of q.k / sqrt(HS) over the causal keys), and the next-token
// predictions reproduce the golden perplexity (sum of -log p(target) = the reference NLL).
TEST_P(Stories, QueryKeyVectorsAndNextTokenPredictions) {
  Pipeline p = open_pipeline(stories_dir() + "/" + GetParam());
  const io::Trace t = capture_trace(p, attnscope::testing::kStoriesSentence, attention::Keep::parse("dense,qk,next:5"));
  ASSERT_NO_THROW(io::validate_trace(t));
  const int64_t T = 35;
  double worst = 0;
  for (const auto& L : t.layers) {
    const auto& q = L.extras.at("query");
    const auto& k = L.extras.at("key");
    ASSERT_EQ(q.shape, (std::vector<int64_t>{L.heads, T, q.shape[2]}));
    ASSERT_EQ(k.shape, q.shape);
    const int64_t D = q.shape[2];
    for (int64_t h = 0; h < L.heads; ++h)
      for (int64_t i = 0; i < T; i += 5) {
        std::vector<double> s(i + 1);
        double mx = -1e300, sum = 0;
        for (int64_t j = 0; j <= i; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < D; ++d) dot += double(q.values[(h * T + i) * D + d]) * k.values[(h * T + j) * D + d];
          mx = std::max(mx, s[j] = dot / std::sqrt(double(D)));
        }
        for (auto& v : s) sum += v = std::exp(v - mx);
        for (int64_t j = 0; j <= i; ++j)
          worst = std::max(worst, std::abs(s[j] / sum - L.weights[(h * T + i) * T + j]));
      }
  }
  EXPECT_LT(worst, 1e-4);
  const auto& pr = t.predictions;
  ASSERT_EQ(pr.k, 5);
  ASSERT_EQ(pr.target_rank.size(), size_t(T));
  const auto ids = tok_->encode(attnscope::testing::kStoriesSentence, true);
  double nll = 0;
  for (int64_t i = 0; i + 1 < T; ++i) {
    nll -= std::log(double(pr.target_prob[i]));
    EXPECT_GE(pr.target_rank[i], 1);
    EXPECT_GE(pr.prob[i * 5], pr.prob[i * 5 + 1]);
    if (pr.target_rank[i] > 5) continue;
    EXPECT_EQ(pr.index[i * 5 + pr.target_rank[i] - 1], ids[i + 1]);
    EXPECT_FLOAT_EQ(pr.prob[i * 5 + pr.target_rank[i] - 1], pr.target_prob[i]);
  }
  EXPECT_EQ(pr.target_rank[T - 1], 0);  // nothing follows the last token
  EXPECT_NEAR(nll, 54.404121, 1e-3);
  EXPECT_EQ(pr.labels[0 * 5], tok_->display(pr.index[0]));
}
