#include "attnscope/serve/api.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "fixture_trace.h"
#include "test_util.h"

using namespace attnscope;
using Params = std::map<std::string, std::string>;

namespace {

serve::Api make_api(int64_t L = 2, int64_t NH = 3, int64_t T = 20) {
  return serve::Api(std::make_shared<const serve::TraceSource>(test::make_trace(L, NH, T)));
}

std::string error_of(const serve::ApiResponse& r) { return nlohmann::json::parse(r.body)["error"]; }

}  // namespace

TEST(Api, MetaDescribesLayersAndSequences) {
  auto api = make_api();
  const auto r = api.handle("/api/meta", {});
  ASSERT_EQ(r.status, 200);
  const auto m = nlohmann::json::parse(r.body);
  EXPECT_EQ(m["layers"].size(), 2u);
  EXPECT_EQ(m["layers"][1]["heads"], 3);
  EXPECT_EQ(m["layers"][1]["keep"], "dense");
  EXPECT_EQ(m["sequences"][0]["length"], 20);
  EXPECT_EQ(m["meta"]["model"], "fixture");
  const auto t = api.handle("/api/tokens", {{"seq", "tokens"}});
  EXPECT_EQ(nlohmann::json::parse(t.body)[19], "tok19");
  // A prompt that is not UTF-8 (`run MODEL $'\xff' --view`) is shown with U+FFFD, not a 500.
  io::Trace bad = test::make_trace(1, 1, 4);
  bad.meta["text"] = "Once \xff\xfe";
  const auto b = serve::Api(std::make_shared<const serve::TraceSource>(bad)).handle("/api/meta", {});
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(nlohmann::json::parse(b.body)["meta"]["text"], "Once \xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Api, TileFindsTheHotCellInEveryFormat) {
  auto api = make_api();
  for (const std::string fmt : {"f16", "u8", "f32"}) {
    const auto r = api.handle("/api/tile", {{"layer", "1"}, {"head", "2"}, {"level", "0"}, {"ty", "0"},
                                            {"tx", "0"}, {"fmt", fmt}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, "application/octet-stream");
    const auto d = test::decode_block(r.body);
    const auto v = d.floats("values");
    ASSERT_EQ(v.size(), 400u);
    const auto hot = std::max_element(v.begin(), v.end()) - v.begin();
    EXPECT_EQ(hot, 19 * 20 + test::hot_key(1, 2, 20)) << fmt;
  }
  // the cached answer is the same bytes
  const Params p = {{"layer", "0"}, {"head", "mean"}, {"level", "0"}, {"ty", "0"}, {"tx", "0"}};
  EXPECT_EQ(api.handle("/api/tile", p).body, api.handle("/api/tile", p).body);
}

TEST(Api, RowIsExactAndEdgesAreTopK) {
  const auto t = test::make_trace(1, 2, 16);
  serve::Api api(std::make_shared<const serve::TraceSource>(t));
  const auto r = api.handle("/api/row", {{"layer", "0"}, {"head", "1"}, {"q", "15"}});
  ASSERT_EQ(r.status, 200);
  const auto row = test::decode_block(r.body).floats("values");
  for (int k = 0; k < 16; ++k) EXPECT_EQ(row[k], t.layers[0].weights[(16 + 15) * 16 + k]);
  const auto e = api.handle("/api/edges", {{"layer", "0"}, {"head", "1"}, {"q0", "14"}, {"q1", "16"}, {"k", "3"}});
  ASSERT_EQ(e.status, 200) << e.body;
  const auto d = test::decode_block(e.body);
  EXPECT_EQ(d.ints("index")[3], test::hot_key(0, 1, 16));
  EXPECT_EQ(d.header["arrays"][0]["shape"], nlohmann::json({2, 3}));
}

TEST(Api, ThumbsCoverEveryHead) {
  auto api = make_api(2, 3, 20);
  const auto r = api.handle("/api/thumbs", {{"size", "10"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto d = test::decode_block(r.body);
  EXPECT_EQ(d.header["arrays"].size(), 6u);
  const auto v = d.floats("1/2");
  ASSERT_EQ(v.size(), 100u);
  EXPECT_EQ(std::max_element(v.begin(), v.end()) - v.begin(), 9 * 10 + test::hot_key(1, 2, 20) / 2);
}

TEST(Api, BadParametersAre400WithAMessage) {
  auto api = make_api();
  auto r = api.handle("/api/tile", {{"layer", "7"}, {"head", "0"}, {"level", "0"}, {"ty", "0"}, {"tx", "0"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(error_of(r).find("layer 7 out of range"), std::string::npos) << r.body;
  r = api.handle("/api/tile", {{"layer", "0"}, {"head", "-1"}, {"level", "0"}, {"ty", "0"}, {"tx", "0"}});
  EXPECT_EQ(r.status, 400);
  r = api.handle("/api/tile", {{"layer", "0"}, {"head", "0"}, {"level", "0"}, {"ty", "0"}});
  EXPECT_EQ(error_of(r), "missing parameter 'tx'");
  r = api.handle("/api/tile", {{"layer", "0x1"}, {"head", "0"}, {"level", "0"}, {"ty", "0"}, {"tx", "0"}});
  EXPECT_EQ(r.status, 400);
  r = api.handle("/api/tile", {{"layer", "99999999999999"}, {"head", "0"}, {"level", "0"}, {"ty", "0"}, {"tx", "0"}});
  EXPECT_EQ(r.status, 400);
  r = api.handle("/api/tile", {{"layer", "0"}, {"head", "0"}, {"level", "0"}, {"ty", "0"}, {"tx", "0"}, {"agg", "sum"}});
  EXPECT_EQ(r.status, 400);
  r = api.handle("/api/tokens", {{"seq", "../../etc/passwd"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(api.handle("/api/nope", {}).status, 404);
  EXPECT_EQ(api.handle("/etc/passwd", {}).status, 404);
}

// An error quoting a parameter that is not UTF-8 threw from the JSON writer out of handle()
// (fuzz_serve_api, seed fuzz/corpus/serve_api/crash-not-utf8-seq): the bytes are replaced.
TEST(Api, ErrorsQuotingInvalidUtf8AreStillJson) {
  auto api = make_api();
  serve::ApiResponse r;
  ASSERT_NO_THROW(r = api.handle("/api/tokens", {{"seq", "tok\x87\xff"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(error_of(r).find("tok\xEF\xBF\xBD"), std::string::npos) << r.body;  // U+FFFD
}

TEST(Api, HugeRequestsAre413) {
  auto api = make_api();
  auto r = api.handle("/api/edges", {{"layer", "0"}, {"head", "0"}, {"q0", "0"}, {"q1", "20"}, {"k", "999999999"}});
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(error_of(r).find("exceeds"), std::string::npos);
  r = api.handle("/api/thumbs", {{"size", "100000"}});
  EXPECT_EQ(r.status, 413);
}
