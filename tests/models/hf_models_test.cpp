// GPT-2, BERT and HF-layout Llama against an independent NumPy forward: the checkpoints and
// the references come from tests/models/make_hf_checkpoints.py (random weights in the exact HF
// layouts). Logits and every attention probability must agree within 1e-4. Also the bad-input
// errors: missing tensor, shape disagreeing with config.json, unknown architecture, bad dtype.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "attnscope/core/error.h"
#include "attnscope/io/safetensors.h"
#include "attnscope/attention/recorder.h"
#include "attnscope/models/loader.h"
#include "attnscope/models/open_model.h"
#include "hf_fixtures.h"

namespace fs = std::filesystem;
using namespace attnscope;
using namespace attnscope::models;

namespace {

class HfModels : public HfFixtures {
 protected:
  // Runs the model on the reference ids; compares logits and attention.
  // reference: the file in the fixture's directory; one with "types" runs the sentence pair.
  static void compare(const std::string& name, const std::string& reference = "reference.safetensors") {
    auto model = load_model(path(name));
    const auto ref = io::SafetensorsFile::open(path(name) + "/" + reference);
    const auto ids64 = ref.read_i64("ids");
    const std::vector<int32_t> ids(ids64.begin(), ids64.end());
    const auto logits = ref.read_f32("logits");
    const auto att = ref.read_f32("attention");  // [L, NH, T, T]
    attention::Recorder cap;
    std::vector<int32_t> types;
    if (ref.contains("types"))
      for (int64_t t : ref.read_i64("types")) types.push_back(static_cast<int32_t>(t));
    const ModelOutput out = types.empty() ? model->forward(ids, &cap) : model->forward_segments(ids, types, &cap);
    ASSERT_EQ(out.values.size(), logits.size());
    double worst = 0;
    for (size_t i = 0; i < logits.size(); ++i) worst = std::max(worst, std::abs(double(out.values[i]) - logits[i]));
    EXPECT_LT(worst, 1e-4) << name << " logits";
    const auto trace = cap.to_trace();
    const int64_t T = static_cast<int64_t>(ids.size());
    ASSERT_EQ(static_cast<int64_t>(trace.layers.size()), model->config().n_layers);
    double worst_att = 0;
    size_t offset = 0;
    for (const auto& layer : trace.layers) {
      ASSERT_EQ(layer.weights.size(), static_cast<size_t>(layer.heads * T * T));
      for (size_t i = 0; i < layer.weights.size(); ++i)
        worst_att = std::max(worst_att, std::abs(double(layer.weights[i]) - att[offset + i]));
      offset += layer.weights.size();
    }
    EXPECT_EQ(offset, att.size());
    EXPECT_LT(worst_att, 1e-4) << name << " attention";
  }

  static std::string error_of(const std::string& name) {
    try {
      load_model(path(name));
    } catch (const Error& e) {
      return e.what();
    }
    return "(no error)";
  }

};

}  // namespace

TEST_F(HfModels, Gpt2MatchesNumpy) { compare("gpt2"); }
TEST_F(HfModels, BertClassifierMatchesNumpy) { compare("bert"); }
// BERT's sentence pairs: token type 1 on the second sentence changes logits and attention, both
// as NumPy computes them; decoders refuse pairs, and a type the model lacks is one clear error.
TEST_F(HfModels, BertSentencePairMatchesNumpy) {
  compare("bert", "reference_pair.safetensors");
  auto bert = load_model(path("bert"));
  const std::vector<int32_t> ids = {1, 2, 3};
  EXPECT_THROW(bert->forward_segments(ids, std::vector<int32_t>{0, 1, 2}), ValueError);
  EXPECT_THROW(bert->forward_segments(ids, std::vector<int32_t>{0, 1}), ValueError);
  EXPECT_THROW(load_model(path("gpt2"))->forward_segments(ids, std::vector<int32_t>{0, 0, 1}), ConfigError);
}
TEST_F(HfModels, ShardedHfLlamaWithHalfSplitRopeMatchesNumpy) { compare("llama_hf"); }

TEST_F(HfModels, F16CheckpointLoadsCloseToF32) {
  auto a = load_model(path("llama_hf")), b = load_model(path("llama_hf_f16"));
  const std::vector<int32_t> ids = {3, 14, 15, 9, 2};
  const auto x = a->forward(ids), y = b->forward(ids);
  double worst = 0;
  for (size_t i = 0; i < x.values.size(); ++i) worst = std::max(worst, std::abs(double(x.values[i]) - y.values[i]));
  EXPECT_GT(worst, 0.0);
  EXPECT_LT(worst, 0.05);
}

TEST_F(HfModels, Gpt2IncrementalDecodingMatchesFullForward) {
  auto model = load_model(path("gpt2"));
  const std::vector<int32_t> ids = {5, 17, 3, 88, 41, 0, 9};
  const auto full = model->forward(ids);
  model->reset();
  ModelOutput last;
  for (int32_t id : ids) last = model->forward(std::span<const int32_t>(&id, 1));
  for (int64_t v = 0; v < full.cols; ++v) EXPECT_NEAR(last.values[v], full.values[(full.rows - 1) * full.cols + v], 1e-4);
}

TEST_F(HfModels, BadCheckpointsGiveOneClearError) {
  EXPECT_NE(error_of("gpt2_missing_tensor").find("missing tensor 'transformer.h.1.mlp.c_fc.bias'"), std::string::npos)
      << error_of("gpt2_missing_tensor");
  EXPECT_NE(error_of("gpt2_bad_shape").find("has shape [32, 33], the config implies [32, 32]"), std::string::npos)
      << error_of("gpt2_bad_shape");
  EXPECT_NE(error_of("unknown_arch").find("unknown architecture 'mamba'"), std::string::npos) << error_of("unknown_arch");
  EXPECT_NE(error_of("gpt2_bad_dtype").find("has dtype I32"), std::string::npos) << error_of("gpt2_bad_dtype");
  EXPECT_NE(error_of("does_not_exist").find("no such model"), std::string::npos);
  EXPECT_THROW(load_model(ATTNSCOPE_SOURCE_DIR), ConfigError);  // a directory with no model
  auto model = load_model(path("gpt2"));
  std::vector<int32_t> too_long(41, 1);  // n_positions is 40
  try {
    model->forward(too_long);
    ADD_FAILURE();
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("longer than the model's context of 40"), std::string::npos) << e.what();
  }
}

// `trace MODEL "A" --pair "B"`'s path: a WordPiece vocabulary beside the BERT checkpoint; the pair
// is read as [CLS] A [SEP] B [SEP], the trace's sequence carries the segments, and a trained
// or decoder model refuses before any work.
TEST_F(HfModels, SentencePairTraceCarriesSegments) {
  {
    std::ofstream vocab(path("bert") + "/vocab.txt");
    for (const char* w : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "a", "dog", "ran"}) vocab << w << "\n";
    for (int i = 11; i < 53; ++i) vocab << "w" << i << "\n";
  }
  TextTracer tracer(path("bert"), attention::Keep::dense());
  const io::Trace t = tracer.trace_pair("the cat sat", "a dog ran");
  ASSERT_EQ(t.sequences.size(), 1u);
  const auto& seq = t.sequences.front();
  EXPECT_EQ(seq.tokens, (std::vector<std::string>{"[CLS]", "the", "cat", "sat", "[SEP]", "a", "dog", "ran", "[SEP]"}));
  EXPECT_EQ(seq.segments, (std::vector<int32_t>{0, 0, 0, 0, 0, 1, 1, 1, 1}));
  EXPECT_EQ(t.meta.at("pair_text"), "a dog ran");
  // The types change what the model attends: the single-sentence trace of the same tokens differs.
  const io::Trace single = tracer.trace("the cat sat [SEP] a dog ran");
  ASSERT_EQ(single.layers.front().weights.size(), t.layers.front().weights.size());
  double diff = 0;
  for (size_t i = 0; i < t.layers.front().weights.size(); ++i)
    diff = std::max(diff, std::abs(double(t.layers.front().weights[i]) - single.layers.front().weights[i]));
  EXPECT_GT(diff, 1e-3);
  // GPT-2 with the same vocabulary beside it: a decoder refuses pairs, saying why.
  fs::copy_file(path("bert") + "/vocab.txt", path("gpt2") + "/vocab.txt", fs::copy_options::overwrite_existing);
  try {
    TextTracer(path("gpt2"), attention::Keep::dense()).trace_pair("a", "b");
    ADD_FAILURE() << "a decoder traced a sentence pair";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("encoder with token types"), std::string::npos) << e.what();
  }
}
