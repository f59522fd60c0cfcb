#include "attnscope/serve/report_page.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_util.h"

using namespace attnscope;

TEST(ReportPage, HoldsTheReportAndStartsAtReportJs) {
  const nlohmann::json report = {
      {"attnscope_report", 1},
      {"source", "x</script><b>.attn.safetensors"},  // must not end the script element
      {"layers", {{{"name", "l0"}, {"heads", {{{"role", "sink"}, {"first_mass", 0.9}}}}}}},
      {"sums", {{"sequences", 1}}}};
  const std::string html = serve::report_html(report, serve::AssetStore());
  const auto modules = nlohmann::json::parse(
      test::between(html, "<script id=\"attnscope-modules\" type=\"application/json\" data-entry=\"report.js\">", "</script>"));
  for (const char* m : {"report.js", "report/grid.js", "report/focus_maps.js", "util/heads_grid.js", "util/colormaps.js"})
    EXPECT_TRUE(modules.contains(m)) << m;
  const auto shown = nlohmann::json::parse(test::between(html, "<script id=\"attnscope-report\" type=\"application/json\">", "</script>"));
  EXPECT_EQ(shown["source"], report["source"]);
  EXPECT_EQ(shown["layers"][0]["heads"][0]["role"], "sink");
  EXPECT_FALSE(shown.contains("sums"));  // the page does not use them
  // Offline: the stylesheet is inlined and nothing is loaded by URL.
  EXPECT_EQ(html.find("href=\"report.css\""), std::string::npos);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_EQ(html.find("src=\"report.js\""), std::string::npos);
  for (const char* url : {"src=\"http", "href=\"http", "src=\"//", "href=\"//"}) EXPECT_EQ(html.find(url), std::string::npos) << url;
}
