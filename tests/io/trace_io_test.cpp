#include "attnscope/io/trace_io.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/core/half.h"
#include "test_util.h"
#include "trace_fixtures.h"

using namespace attnscope;
using namespace attnscope::io;
using attnscope::io::testing::sample_trace;

namespace {
Trace round_trip(const Trace& t, TraceWriteOptions opt = {}) {
  return parse_trace(SafetensorsFile::from_bytes(serialize_trace(t, opt), "t.attn.safetensors"));
}
template <typename E>
std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}
// Rewrites the JSON description inside serialized trace bytes (to corrupt it on purpose).
std::string with_description(const Trace& t, const std::function<void(nlohmann::json&)>& edit) {
  SafetensorsWriter w = trace_writer(t, {});
  const auto f = SafetensorsFile::from_bytes(w.serialize());
  nlohmann::json d = nlohmann::json::parse(f.metadata().at(kTraceMetadataKey));
  edit(d);
  w.set_metadata(kTraceMetadataKey, d.dump());
  return w.serialize();
}
}  // namespace

TEST(TraceIo, RoundTripF32IsExact) {
  const Trace t = sample_trace();
  const Trace r = round_trip(t, {.f16_weights = false});
  ASSERT_EQ(r.sequences.size(), 2u);
  EXPECT_EQ(r.sequences[0].tokens, t.sequences[0].tokens);
  EXPECT_EQ(r.sequences[1].name, "source");
  EXPECT_EQ(r.meta.at("model"), "test");
  ASSERT_EQ(r.layers.size(), 3u);
  EXPECT_EQ(r.layers[0].name, "decoder.0.self");
  EXPECT_EQ(r.layers[0].mechanism, "scaled_dot");
  EXPECT_EQ(r.layers[0].weights, t.layers[0].weights);
  EXPECT_EQ(r.layers[0].extras.at("span").shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(r.layers[0].extras.at("span").values, (std::vector<float>{1.5f, 3.0f}));
  EXPECT_EQ(r.layers[1].keep, TraceKeep::topk);
  EXPECT_EQ(r.layers[1].k, 2);
  EXPECT_EQ(r.layers[1].topk_index, t.layers[1].topk_index);
  EXPECT_EQ(r.layers[1].topk_weight, t.layers[1].topk_weight);
  EXPECT_EQ(r.layers[1].argmax, t.layers[1].argmax);
  EXPECT_EQ(r.layers[1].max_weight, t.layers[1].max_weight);
  EXPECT_EQ(r.layers[2].keep, TraceKeep::stats);
  EXPECT_TRUE(std::isinf(r.layers[2].lse[2]));
  EXPECT_EQ(r.layers[2].entropy, t.layers[2].entropy);
  EXPECT_EQ(r.steps, t.steps);
}


TEST(TraceIo, F16Precision) {
  const Trace t = sample_trace();
  const Trace r = round_trip(t);
  for (size_t i = 0; i < t.layers[0].weights.size(); ++i)
    EXPECT_EQ(r.layers[0].weights[i], f16_to_f32(f32_to_f16(t.layers[0].weights[i])));
  // F16 halves the dense bytes.
  EXPECT_LT(serialize_trace(t).size(), serialize_trace(t, {.f16_weights = false}).size());
}

TEST(TraceIo, ImageSnapshotsAndGrid) {
  Trace t;
  TraceSequence img{"image", {}, 2, 3};
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 3; ++c) img.tokens.push_back(std::to_string(r) + "," + std::to_string(c));
  t.sequences.push_back(img);
  t.sequences.push_back({"caption", {"a", "dog"}, 0, 0});
  TraceLayer l;
  l.name = "att";
  l.query_seq = "caption";
  l.key_seq = "image";
  l.heads = 1, l.queries = 2, l.keys = 6;
  l.weights.assign(12, 1.0f / 6);
  l.extras["sentinel_beta"] = {{2}, {0.1f, 0.9f}};
  t.layers.push_back(l);
  t.image_path = "dog.jpg";
  t.image = {2, 2, 3, std::vector<uint8_t>(12, 200)};
  for (int s = 0; s < 3; ++s) {
    TraceLayer ls = l;
    ls.weights.assign(12, 0.0f);
    ls.weights[s] = 1.0f;
    t.snapshots.push_back({"epoch " + std::to_string(s), 100 * s, {ls}});
  }
  t.steps = {0, 1};
  const Trace r = round_trip(t);
  EXPECT_EQ(r.sequences[0].grid_h, 2);
  EXPECT_EQ(r.sequences[0].grid_w, 3);
  EXPECT_EQ(r.sequences[0].tokens[4], "1,1");
  EXPECT_EQ(r.image_path, "dog.jpg");
  EXPECT_EQ(r.image.height, 2);
  EXPECT_EQ(r.image.channels, 3);
  EXPECT_EQ(r.image.pixels, t.image.pixels);
  ASSERT_EQ(r.snapshots.size(), 3u);
  EXPECT_EQ(r.snapshots[2].label, "epoch 2");
  EXPECT_EQ(r.snapshots[2].step, 200);
  EXPECT_EQ(r.snapshots[2].layers[0].weights[2], 1.0f);
  EXPECT_EQ(r.layers[0].extras.at("sentinel_beta").values[1], 0.9f);  // extras stay F32

  // Grid tokens may be omitted in the file: the reader labels the cells "r,c".
  const std::string bytes = with_description(t, [](nlohmann::json& d) { d["sequences"][0].erase("tokens"); });
  EXPECT_EQ(parse_trace(SafetensorsFile::from_bytes(bytes)).sequences[0].tokens, img.tokens);
}

TEST(TraceIo, ShapesThatDisagreeWithTokens) {
  Trace t = sample_trace();
  t.sequences[0].tokens.pop_back();  // 5 tokens, layers say 6 queries
  const std::string msg = error_of<ShapeError>([&] { validate_trace(t); });
  EXPECT_NE(msg.find("6 queries but sequence 'tokens' has 5 tokens"), std::string::npos) << msg;
  EXPECT_THROW(serialize_trace(t), ShapeError);  // the writer validates too

  // The same disagreement inside a file.
  const std::string bytes = with_description(sample_trace(), [](nlohmann::json& d) {
    d["sequences"][1]["tokens"].push_back("extra");
  });
  const std::string fmsg = error_of<ShapeError>([&] { parse_trace(SafetensorsFile::from_bytes(bytes, "x.attn.safetensors")); });
  EXPECT_NE(fmsg.find("'x.attn.safetensors'"), std::string::npos) << fmsg;
  EXPECT_NE(fmsg.find("keys but sequence 'source' has 4 tokens"), std::string::npos) << fmsg;

  // Tensor shape disagreeing with the description.
  const std::string b2 = with_description(sample_trace(), [](nlohmann::json& d) { d["layers"][0]["heads"] = 3; });
  EXPECT_NE(error_of<ShapeError>([&] { parse_trace(SafetensorsFile::from_bytes(b2)); }).find("the metadata says [3, 6, 6]"),
            std::string::npos);
}

TEST(TraceIo, TruncatedTrace) {
  const std::string bytes = serialize_trace(sample_trace());
  for (size_t cut : {size_t{4}, size_t{20}, bytes.size() / 2, bytes.size() - 1}) {
    const std::string msg = error_of<FormatError>([&] { parse_trace(SafetensorsFile::from_bytes(bytes.substr(0, cut), "t")); });
    EXPECT_FALSE(msg.empty()) << "cut at " << cut;
    EXPECT_EQ(msg.find('\n'), std::string::npos);
  }
}

TEST(TraceIo, InvalidContent) {
  auto file_error = [](const std::string& bytes) {
    try {
      parse_trace(SafetensorsFile::from_bytes(bytes, "t"));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const Trace t = sample_trace();
  EXPECT_NE(file_error(with_description(t, [](auto& d) { d["version"] = 99; })).find("version 99 is not supported"),
            std::string::npos);
  EXPECT_NE(file_error(with_description(t, [](auto& d) { d["layers"][0]["key_seq"] = "nope"; })).find("'nope' does not exist"),
            std::string::npos);
  EXPECT_NE(file_error(with_description(t, [](auto& d) { d["layers"][0]["keep"] = "all"; })).find("keep must be"),
            std::string::npos);
  EXPECT_NE(file_error(with_description(t, [](auto& d) { d["layers"][0]["heads"] = "2"; })).find("'heads' must be an integer"),
            std::string::npos);
  EXPECT_NE(file_error(with_description(t, [](auto& d) { d["sequences"][0]["tokens"][0] = 5; })).find("must be strings"),
            std::string::npos);
  EXPECT_NE(file_error(with_description(t, [](auto& d) { d["steps"] = {0, 6}; })).find("steps[1] = 6"), std::string::npos);
  EXPECT_NE(file_error(with_description(t, [](auto& d) { d["layers"][0].erase("extras"); })).find("not described"),
            std::string::npos);
  EXPECT_NE(file_error(with_description(t, [](auto& d) { d["layers"][1]["k"] = 3; })).find("topk_index"), std::string::npos);
  SafetensorsWriter plain;
  plain.add_f32("w", {1}, std::vector<float>{1});
  EXPECT_NE(file_error(plain.serialize()).find("not an attnscope trace"), std::string::npos);
  plain.set_metadata(kTraceMetadataKey, "{oops");
  EXPECT_NE(file_error(plain.serialize()).find("not valid JSON"), std::string::npos);

  Trace bad = t;
  bad.layers[0].weights[3] = NAN;
  EXPECT_NE(error_of<FormatError>([&] { validate_trace(bad); }).find("weights[3] is NaN"), std::string::npos);
  // Negative weights (issue 16.3: `show` crashed on them) are refused by the one validation.
  bad = t;
  bad.layers[0].weights[2] = -0.25f;
  EXPECT_NE(error_of<FormatError>([&] { validate_trace(bad); }).find("weights[2] = -0.250000 is negative"), std::string::npos);
  bad = t;
  bad.layers[1].topk_weight[0] = -1.f;
  EXPECT_NE(error_of<FormatError>([&] { validate_trace(bad); }).find("is negative"), std::string::npos);
  bad = t;
  bad.layers[1].topk_index[0] = 3;
  EXPECT_NE(error_of<FormatError>([&] { validate_trace(bad); }).find("outside [-1, 3)"), std::string::npos);
  bad = t;
  bad.layers.push_back(bad.layers[0]);
  EXPECT_NE(error_of<FormatError>([&] { validate_trace(bad); }).find("appears twice"), std::string::npos);
  bad = t;
  bad.layers[0].extras["span"].shape = {3};
  EXPECT_NE(error_of<ShapeError>([&] { validate_trace(bad); }).find("extra 'span'"), std::string::npos);
}

TEST(TraceIo, WriteAndReadFile) {
  const std::string path = attnscope::io::testing::scratch_dir("trace_io") + "/s.attn.safetensors";
  write_trace(sample_trace(), path);
  const Trace r = read_trace(path);
  EXPECT_EQ(r.layers.size(), 3u);
  EXPECT_TRUE(is_trace(SafetensorsFile::open(path)));
}

// Sentence-pair segments, the neuron view's query/key vectors and next-token predictions: all
// optional and additive (a trace without them reads as before), validated on both sides.
TEST(TraceIo, SegmentsQueryKeyVectorsAndPredictionsRoundTrip) {
  Trace t = sample_trace();
  t.sequences[0].segments = {0, 0, 0, 1, 1, 1};
  TraceLayer& self = t.layers[0];
  std::vector<float> qv(2 * 6 * 3), kv(2 * 6 * 3);
  for (size_t i = 0; i < qv.size(); ++i) { qv[i] = 0.5f * static_cast<float>(i); kv[i] = -0.25f * static_cast<float>(i); }
  self.extras["query"] = {{2, 6, 3}, qv};
  self.extras["key"] = {{2, 6, 3}, kv};
  auto& p = t.predictions;
  p.seq = "tokens";
  p.k = 2;
  for (int q = 0; q < 6; ++q) {
    p.labels.insert(p.labels.end(), {"a" + std::to_string(q), "b"});
    p.index.insert(p.index.end(), {q, 7});
    p.prob.insert(p.prob.end(), {0.6f, 0.3f});
    p.target_prob.push_back(q == 5 ? 0.f : 0.3f);
    p.target_rank.push_back(q == 5 ? 0 : 2);
  }
  const Trace r = round_trip(t);
  EXPECT_EQ(r.sequences[0].segments, t.sequences[0].segments);
  EXPECT_TRUE(r.sequences[1].segments.empty());
  EXPECT_EQ(r.layers[0].extras.at("query").values, qv);
  EXPECT_EQ(r.layers[0].extras.at("key").shape, (std::vector<int64_t>{2, 6, 3}));
  ASSERT_FALSE(r.predictions.empty());
  EXPECT_EQ(r.predictions.labels, p.labels);
  EXPECT_EQ(r.predictions.index, p.index);
  EXPECT_EQ(r.predictions.prob, p.prob);
  EXPECT_EQ(r.predictions.target_rank, p.target_rank);
  EXPECT_TRUE(round_trip(sample_trace()).predictions.empty());

  auto bad = [&](const std::function<void(Trace&)>& edit, const std::string& want) {
    Trace b = t;
    edit(b);
    const std::string e = error_of<Error>([&] { serialize_trace(b); });
    EXPECT_NE(e.find(want), std::string::npos) << "got: " << e;
  };
  bad([](Trace& b) { b.sequences[0].segments = {0, 1}; }, "segments holds 2 values");
  bad([](Trace& b) { b.sequences[0].segments[2] = -1; }, "segment id -1");
  bad([](Trace& b) { b.layers[0].extras["query"].shape = {2, 18, 1}; }, "extra 'query' has shape [2, 18, 1]");
  bad([](Trace& b) { b.layers[0].extras["key"] = {{2, 6, 2}, std::vector<float>(24)}; }, "differ in width");
  bad([](Trace& b) { b.predictions.seq = "nope"; }, "sequence 'nope' does not exist");
  bad([](Trace& b) { b.predictions.prob[0] = 1.5f; }, "not a probability");
  bad([](Trace& b) { b.predictions.target_rank.pop_back(); }, "target_rank holds 5 values");
  // A predictions tensor the description does not name is refused like any undescribed tensor.
  const std::string bytes = with_description(t, [](auto& d) { d.erase("predictions"); });
  EXPECT_NE(error_of<Error>([&] { parse_trace(SafetensorsFile::from_bytes(bytes, "t")); }).find("not described"),
            std::string::npos);
}
