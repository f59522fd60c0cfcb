// `attnscope analyze --html`: the offline report page holds the report it was written with, and
// a bad page path is refused up front with one line (no report written either).
#include <nlohmann/json.hpp>

#include "cli_fixture.h"

namespace {

using namespace cli_test;
using nlohmann::json;

class AnalyzeHtml : public CliTest {
 protected:
  void SetUp() override {
    make_dir("analyze_html_", "ATTNSCOPE_THREADS=1");
    std::ofstream(dir_ / "attn.npy", std::ios::binary) << attention_npy(2, 3, 6);
    std::ofstream(dir_ / "tokens.json") << R"(["The", "cat", "sat", "on", "the", "mat"])";
    ASSERT_EQ(run("trace import attn.npy --tokens tokens.json -o t.attn.safetensors --model m").code, 0);
  }
  // The report JSON inside the page.
  json page_report(const std::string& name) const {
    const std::string html = slurp(dir_ / name), open = "<script id=\"attnscope-report\" type=\"application/json\">";
    const size_t a = html.find(open);
    EXPECT_NE(a, std::string::npos) << name << " holds no report";
    if (a == std::string::npos) return {};
    return json::parse(html.substr(a + open.size(), html.find("</script>", a) - a - open.size()));
  }
};

}  // namespace

TEST_F(AnalyzeHtml, WritesThePageWithTheReport) {
  const CmdResult r = run("analyze t.attn.safetensors --rollout --flow -q -o r.json --html r.html");
  ASSERT_EQ(r.code, 0) << r.err;
  const json report = json::parse(slurp(dir_ / "r.json")), shown = page_report("r.html");
  EXPECT_EQ(shown["layers"], report["layers"]);
  EXPECT_EQ(shown["sequences"], report["sequences"]);
  EXPECT_FALSE(shown.contains("sums"));
  const std::string html = slurp(dir_ / "r.html");
  EXPECT_NE(html.find("data-entry=\"report.js\""), std::string::npos);
  // analyze merge writes the page of the merged report too.
  ASSERT_EQ(run("analyze merge r.json -o m.json --html m.html").code, 0);
  EXPECT_EQ(page_report("m.html")["layers"], report["layers"]);
}

TEST_F(AnalyzeHtml, RefusesABadPageWithOneLine) {
  expect_error("analyze t.attn.safetensors -o r.json --html nodir/r.html", 1, "report page 'nodir/r.html'");
  fs::create_directories(dir_ / "d.html");
  expect_error("analyze t.attn.safetensors -o r.json --html d.html", 1, "is a directory");
  EXPECT_FALSE(fs::exists(dir_ / "r.json")) << "checked before any work";
  ASSERT_EQ(run("analyze t.attn.safetensors -q -o r.json").code, 0);
  expect_error("analyze merge r.json -o m.json --html nodir/m.html", 1, "does not exist");
  EXPECT_FALSE(fs::exists(dir_ / "m.json"));
}
