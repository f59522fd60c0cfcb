#include "attnscope/serve/html_export.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "fixture_trace.h"
#include "test_util.h"

using namespace attnscope;

namespace {

std::string unbase64(const std::string& in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
          : c == '+' ? 62 : c == '/' ? 63 : -1;
    if (v < 0) continue;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string inflate(const std::string& in) {
  std::string out(64 << 20, '\0');
  uLongf n = out.size();
  EXPECT_EQ(uncompress(reinterpret_cast<Bytef*>(out.data()), &n, reinterpret_cast<const Bytef*>(in.data()), in.size()), Z_OK);
  out.resize(n);
  return out;
}

}  // namespace

TEST(HtmlExport, EmbedsModulesAndTheCompressedTrace) {
  const auto t = test::make_trace(2, 3, 10);
  serve::TraceSource src(t);
  const std::string html = serve::export_html(src, serve::AssetStore());
  // modules inlined as JSON (no "</" left to end the script early), the loader inlined
  const auto modules = nlohmann::json::parse(
      test::between(html, "<script id=\"attnscope-modules\" type=\"application/json\" data-entry=\"main.js\">", "</script>"));
  for (const char* m : {"main.js", "api.js", "state.js", "views/matrix.js", "views/playback.js", "util/colormaps.js"})
    EXPECT_TRUE(modules.contains(m)) << m;
  EXPECT_FALSE(modules.contains("offline.js"));
  EXPECT_NE(html.find("DecompressionStream"), std::string::npos);  // local_source.js inflates
  EXPECT_NE(html.find("URL.createObjectURL"), std::string::npos);  // the blob-URL loader
  EXPECT_EQ(html.find("src=\"main.js\""), std::string::npos);
  EXPECT_EQ(html.find("href=\"style.css\""), std::string::npos);
  // the data block: meta + tokens in the header, weights as f16 [NH, Q, N]
  const auto block = test::decode_block(inflate(unbase64(test::between(html, "type=\"application/octet-stream\">", "</script>"))));
  EXPECT_EQ(block.header["meta"]["layers"].size(), 2u);
  EXPECT_EQ(block.header["tokens"]["tokens"][1], "quick");
  const auto w = block.floats("1/weights");
  ASSERT_EQ(w.size(), t.layers[1].weights.size());
  for (size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(w[i], t.layers[1].weights[i], 1e-3 * t.layers[1].weights[i] + 1e-7);
}

TEST(HtmlExport, TopkLayersTravelAsIndexAndWeight) {
  serve::TraceSource src(test::make_topk_trace(1, 2, 40, 4));
  const std::string html = serve::export_html(src, serve::AssetStore());
  const auto block = test::decode_block(inflate(unbase64(test::between(html, "type=\"application/octet-stream\">", "</script>"))));
  EXPECT_EQ(block.ints("0/index").size(), 2u * 40 * 4);
  EXPECT_EQ(block.header["meta"]["layers"][0]["keep"], "topk");
}

TEST(HtmlExport, RefusesTracesPastTheLimit) {
  serve::TraceSource src(test::make_trace(2, 2, 10));
  EXPECT_EQ(serve::stored_weights(src.trace()), 400);
  try {
    serve::export_html(src, serve::AssetStore(), 399);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("trace holds 400 attention weights; an HTML export takes at most 399"), std::string::npos);
  }
}
