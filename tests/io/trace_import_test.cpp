#include "attnscope/io/trace_import.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/io/npy.h"
#include "attnscope/io/trace_io.h"
#include "test_util.h"
#include "trace_fixtures.h"

using namespace attnscope;
using namespace attnscope::io;

TEST(TraceImport, SelfAndCrossAttention) {
  const std::vector<float> w = attnscope::io::testing::causal_rows(6, 3);  // [2 layers x 3 heads, 3, 3]
  const std::vector<int64_t> shape{2, 3, 3, 3};
  TraceImportOptions named;
  named.mechanism = "scaled_dot";
  const Trace t = trace_from_attention(shape, w, R"(["a", "b", "c"])", named);
  ASSERT_EQ(t.layers.size(), 2u);
  EXPECT_EQ(t.sequences.size(), 1u);
  EXPECT_EQ(t.layers[1].name, "layer.1");
  EXPECT_EQ(t.layers[1].mechanism, "scaled_dot");
  EXPECT_EQ(t.layers[1].weights, std::vector<float>(w.begin() + 27, w.end()));

  const std::vector<float> c(2 * 4, 0.25f);
  const Trace x = trace_from_attention(std::vector<int64_t>{2, 4}, c,
                                       R"({"queries": ["x", "y"], "keys": ["1", "2", "3", "4"], "query_name": "target", "key_name": "source"})");
  ASSERT_EQ(x.sequences.size(), 2u);
  EXPECT_EQ(x.layers[0].query_seq, "target");
  EXPECT_EQ(x.layers[0].key_seq, "source");
  EXPECT_EQ(x.layers[0].heads, 1);
}

// Issue 17: a tokens file nested 100,000 deep overflowed the stack; now one FormatError.
TEST(TraceImport, DeeplyNestedTokensJsonIsRefused) {
  const std::vector<float> w = {1, 0, 0.5f, 0.5f};
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  try {
    trace_from_attention(std::vector<int64_t>{1, 1, 2, 2}, w, deep);
    ADD_FAILURE() << "no error";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("nested deeper than 256"), std::string::npos) << e.what();
  }
}

TEST(TraceImport, Errors) {
  const std::vector<float> w(36, 0.25f);
  const std::vector<int64_t> shape{1, 1, 6, 6};
  auto err = [&](std::vector<int64_t> s, const std::vector<float>& v, const std::string& tokens) -> std::string {
    try {
      trace_from_attention(s, v, tokens);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(err(shape, w, R"(["a"])").find("6 queries x 6 keys but the token list has 1 tokens"), std::string::npos);
  EXPECT_NE(err({36}, w, R"(["a"])").find("[layers, heads, queries, keys]"), std::string::npos);
  EXPECT_NE(err({1, 1, 1, 6, 6}, w, R"(["a"])").find("[layers, heads, queries, keys]"), std::string::npos);
  EXPECT_NE(err(shape, w, R"({"queries": ["a"]})").find("\"keys\""), std::string::npos);
  EXPECT_NE(err(shape, w, "7").find("expected a list"), std::string::npos);
  std::vector<float> nan = w;
  nan[5] = NAN;
  EXPECT_NE(err(shape, nan, R"(["a","b","c","d","e","f"])").find("#5 is NaN"), std::string::npos);
  std::vector<float> negative = w;
  negative[7] = -0.5f;
  EXPECT_NE(err(shape, negative, R"(["a","b","c","d","e","f"])").find("#7 is -0.500000: attention weights are >= 0"),
            std::string::npos);
  EXPECT_NE(err({0, 1, 6, 6}, {}, R"(["a","b","c","d","e","f"])").find("no layers"), std::string::npos);
}

TEST(TraceImport, FromNpyFiles) {
  const std::string dir = attnscope::io::testing::scratch_dir("trace_import");
  const std::vector<float> w(2 * 2 * 3 * 3, 1.0f / 3);
  write_npy(dir + "/a.npy", std::vector<int64_t>{2, 2, 3, 3}, w);
  attnscope::write_file_atomic(dir + "/t.json", R"(["x", "y", "z"])");
  const Trace t = import_trace(dir + "/a.npy", dir + "/t.json");
  EXPECT_EQ(t.layers.size(), 2u);
  attnscope::write_file_atomic(dir + "/t2.json", R"(["x", "y"])");
  try {
    import_trace(dir + "/a.npy", dir + "/t2.json");
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("a.npy' vs '"), std::string::npos) << e.what();
  }
  EXPECT_THROW(import_trace(dir + "/missing.npy", dir + "/t.json"), IoError);
}

// ---- Issue 16: a trace description naming arrays expresses everything a trace holds --------

namespace {

NpyArray f32_array(std::vector<int64_t> shape, const std::vector<float>& v) {
  NpyArray a;
  a.dtype = DType::F32;
  a.shape = std::move(shape);
  a.data.resize(v.size() * 4);
  std::memcpy(a.data.data(), v.data(), a.data.size());
  return a;
}

// Uniform rows over `keys`, for `rows` rows.
std::vector<float> uniform(int64_t rows, int64_t keys) { return std::vector<float>(static_cast<size_t>(rows * keys), 1.0f / keys); }

// Writes the trace and reads it back: what a trace file keeps.
Trace through_file(const Trace& t) {
  const std::string path = attnscope::io::testing::scratch_dir(
                               std::string("described_") + ::testing::UnitTest::GetInstance()->current_test_info()->name()) +
                           "/t.attn.safetensors";
  write_trace(t, path, {.f16_weights = false});
  return read_trace(path);
}

}  // namespace

TEST(TraceDescription, SeveralSequencesCrossAndSelf) {
  // An encoder-decoder: source self-attention [2 layers, 2 heads, 3, 3] and cross-attention 2 -> 3.
  const std::vector<float> self = attnscope::io::testing::causal_rows(4, 3);
  const NpzArrays arrays = {{"enc", f32_array({2, 2, 3, 3}, self)}, {"cross", f32_array({2, 3}, uniform(2, 3))}};
  const std::string desc = R"({"meta": {"task": "translate"},
    "sequences": [{"name": "source", "tokens": ["le", "chat", "."]}, {"name": "target", "tokens": ["the", "cat"]}],
    "layers": [{"name": "encoder.0", "array": "enc", "index": 0, "query_seq": "source", "key_seq": "source"},
               {"name": "encoder.1", "array": "enc", "index": [1], "query_seq": "source", "key_seq": "source"},
               {"name": "decoder.cross", "array": "cross", "query_seq": "target", "key_seq": "source", "mechanism": "additive"}]})";
  TraceImportOptions opt;
  opt.meta["model"] = "mine";
  const Trace t = through_file(trace_from_description(desc, arrays, opt));
  ASSERT_EQ(t.sequences.size(), 2u);
  EXPECT_EQ(t.sequences[1].tokens, (std::vector<std::string>{"the", "cat"}));
  ASSERT_EQ(t.layers.size(), 3u);
  EXPECT_EQ(t.layers[1].heads, 2);
  EXPECT_EQ(t.layers[1].weights, std::vector<float>(self.begin() + 18, self.end()));
  EXPECT_EQ(t.layers[2].query_seq, "target");
  EXPECT_EQ(t.layers[2].key_seq, "source");
  EXPECT_EQ(t.layers[2].heads, 1);
  EXPECT_EQ(t.layers[2].mechanism, "additive");
  EXPECT_EQ(t.meta.at("task"), "translate");
  EXPECT_EQ(t.meta.at("model"), "mine");
}

TEST(TraceDescription, GenerationSteps) {
  const NpzArrays arrays = {{"attn", f32_array({1, 4, 4}, attnscope::io::testing::causal_rows(1, 4))}};
  const Trace t = through_file(trace_from_description(
      R"({"sequences": [{"name": "tokens", "tokens": ["a", "b", "c", "d"]}],
          "layers": [{"query_seq": "tokens", "key_seq": "tokens"}], "steps": [2, 3]})",
      arrays));
  EXPECT_EQ(t.steps, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(t.layers[0].name, "layer.0");  // the default name; the one array needs no name
  EXPECT_THROW(trace_from_description(R"({"sequences": [{"name": "tokens", "tokens": ["a", "b", "c", "d"]}],
          "layers": [{"query_seq": "tokens", "key_seq": "tokens"}], "steps": [4]})", arrays),
               FormatError);
}

TEST(TraceDescription, ImageGridWithEmbeddedPixels) {
  NpyArray px;
  px.dtype = DType::U8;
  px.shape = {2, 3, 3};
  px.data.assign(18, 200);
  const NpzArrays arrays = {{"att", f32_array({2, 6}, uniform(2, 6))}, {"pixels", px}};
  const Trace t = through_file(trace_from_description(
      R"({"sequences": [{"name": "words", "tokens": ["a", "cat"]}, {"name": "image", "grid": [2, 3]}],
          "layers": [{"name": "look", "array": "att", "query_seq": "words", "key_seq": "image"}],
          "image": {"array": "pixels"}})",
      arrays));
  EXPECT_EQ(t.sequences[1].grid_h, 2);
  EXPECT_EQ(t.sequences[1].grid_w, 3);
  EXPECT_EQ(t.sequences[1].tokens[5], "1,2");
  EXPECT_EQ(t.layers[0].keys, 6);
  EXPECT_EQ(t.image.height, 2);
  EXPECT_EQ(t.image.width, 3);
  EXPECT_EQ(t.image.pixels, px.data);
}

TEST(TraceDescription, TrainingSnapshots) {
  // [snapshots, heads, queries, keys]: three steps of one head sharpening.
  std::vector<float> w = uniform(3 * 3, 3);
  w[2 * 9 + 0] = 1, w[2 * 9 + 1] = 0, w[2 * 9 + 2] = 0;
  const NpzArrays arrays = {{"steps", f32_array({3, 1, 3, 3}, w)}};
  const Trace t = through_file(trace_from_description(
      R"({"sequences": [{"name": "tokens", "tokens": ["x", "y", "z"]}],
          "snapshots": [
            {"label": "epoch 1", "step": 10, "layers": [{"name": "attn", "index": 0, "query_seq": "tokens", "key_seq": "tokens"}]},
            {"label": "epoch 2", "step": 20, "layers": [{"name": "attn", "index": 1, "query_seq": "tokens", "key_seq": "tokens"}]},
            {"label": "epoch 3", "step": 30, "layers": [{"name": "attn", "index": 2, "query_seq": "tokens", "key_seq": "tokens"}]}]})",
      arrays));
  ASSERT_EQ(t.snapshots.size(), 3u);
  EXPECT_EQ(t.snapshots[1].label, "epoch 2");
  EXPECT_EQ(t.snapshots[2].step, 30);
  EXPECT_EQ(t.snapshots[2].layers[0].weights[0], 1.0f);
  // No top-level layers: the trace shows the last snapshot.
  ASSERT_EQ(t.layers.size(), 1u);
  EXPECT_EQ(t.layers[0].weights, t.snapshots[2].layers[0].weights);
}

TEST(TraceDescription, BadDescriptionsAreOneClearError) {
  const NpzArrays two = {{"a", f32_array({2, 2}, uniform(2, 2))}, {"b", f32_array({2, 1, 2, 2}, uniform(4, 2))}};
  const std::string seqs = R"("sequences": [{"name": "t", "tokens": ["x", "y"]}])";
  auto fails = [&](const std::string& layers, const std::string& says) {
    try {
      trace_from_description("{" + seqs + ", \"layers\": [" + layers + "]}", two);
      ADD_FAILURE() << "accepted " << layers;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  };
  fails(R"({"query_seq": "t", "key_seq": "t"})", "name its 'array' (one of: a, b)");
  fails(R"({"array": "c", "query_seq": "t", "key_seq": "t"})", "no array 'c' (there are: a, b)");
  fails(R"({"array": "b", "query_seq": "t", "key_seq": "t"})", "is not [heads, queries, keys] or [queries, keys]");
  fails(R"({"array": "b", "index": 2, "query_seq": "t", "key_seq": "t"})", "index 2 is outside array 'b' dimension 0 of size 2");
  fails(R"({"array": "a", "heads": 4, "query_seq": "t", "key_seq": "t"})", "'heads' is 4 but its array [2, 2] has 1");
  fails(R"({"array": "a", "keep": "topk", "query_seq": "t", "key_seq": "t"})", "imported weights are dense");
  fails(R"({"array": "a", "query_seq": "t", "key_seq": "nope"})", "nope");
  EXPECT_THROW(trace_from_description("[1, 2]", two), FormatError);
  EXPECT_THROW(trace_from_description("{" + seqs + "}", two), FormatError);
}
