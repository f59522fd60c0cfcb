#include "attnscope/io/trace_import.h"

#include <gtest/gtest.h>

#include <cmath>

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
