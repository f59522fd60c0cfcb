// Runs build/attnscope's viewer verbs (show, export, view) on traces made with `trace import`
// and on bad input: one line on stderr starting "attnscope: error:", exit 1 (2 for usage),
// never a crash or a half-written output.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "cli_fixture.h"

namespace {

using namespace cli_test;

class ViewerCommands : public CliTest {
 protected:
  void SetUp() override {
    make_dir("viewer_", "NO_COLOR=1");
    std::ofstream(dir_ / "attn.npy", std::ios::binary) << attention_npy(2, 3, 6);
    std::ofstream(dir_ / "tokens.json") << R"(["The", "cat", "sat", "on", "the", "mat"])";
    ASSERT_EQ(run("trace import attn.npy --tokens tokens.json -o t.attn.safetensors --model m").code, 0);
  }
};

}  // namespace

TEST_F(ViewerCommands, ShowPrintsTokensWithWeights) {
  const CmdResult r = run("show t.attn.safetensors --layer 1 --head 2");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("query 5 \"mat\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sat[0.583"), std::string::npos) << r.out;  // 0.5/6 + 0.5, stored as f16
  // the strongest key is listed first, with a full bar
  EXPECT_NE(r.out.find("2  0.583"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  ##############################  sat\n"), std::string::npos) << r.out;
}

TEST_F(ViewerCommands, ShowRejectsBadOptions) {
  expect_error("show t.attn.safetensors --cmap rainbow", 2, "unknown colour map 'rainbow'");
  expect_error("show t.attn.safetensors --layer 9", 2, "layer");
  expect_error("show t.attn.safetensors --head 3", 2, "head");
  expect_error("show t.attn.safetensors --query 6", 2, "query 6 out of range");
  expect_error("show missing.attn.safetensors", 1, "missing.attn.safetensors");
}

TEST_F(ViewerCommands, TruncatedTraceIsAClearError) {
  const std::string bytes = slurp(dir_ / "t.attn.safetensors");
  std::ofstream(dir_ / "cut.attn.safetensors", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  expect_error("show cut.attn.safetensors", 1, "cut.attn.safetensors");
  expect_error("view cut.attn.safetensors", 1, "cut.attn.safetensors");
  expect_error("export cut.attn.safetensors --html -o cut.html", 1, "cut.attn.safetensors");
  EXPECT_FALSE(fs::exists(dir_ / "cut.html"));
}

TEST_F(ViewerCommands, ShapesThatDisagreeWithTokensAreAClearError) {
  // Drop one token from the trace's JSON description (the header is rewritten with its new
  // length; tensor offsets are relative to the data section, so they stay valid).
  const std::string bytes = slurp(dir_ / "t.attn.safetensors");
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  std::string header = bytes.substr(8, n);
  const std::string from = R"(\"the\",\"mat\"])", to = R"(\"the\"])";
  const size_t at = header.find(from);
  ASSERT_NE(at, std::string::npos) << header;
  header.replace(at, from.size(), to);
  const uint64_t m = header.size();
  std::string out(reinterpret_cast<const char*>(&m), 8);
  out += header + bytes.substr(8 + n);
  std::ofstream(dir_ / "bad.attn.safetensors", std::ios::binary) << out;
  expect_error("show bad.attn.safetensors", 1, "6");
  expect_error("view bad.attn.safetensors", 1, "tokens");
  expect_error("export bad.attn.safetensors --html -o bad.html", 1, "tokens");
  EXPECT_FALSE(fs::exists(dir_ / "bad.html"));
}

TEST_F(ViewerCommands, ExportWritesOneOfflineFile) {
  const CmdResult r = run("export t.attn.safetensors --html -o t.html");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string html = slurp(dir_ / "t.html");
  EXPECT_NE(html.find("<script id=\"attnscope-data\""), std::string::npos);
  EXPECT_NE(html.find("<script id=\"attnscope-modules\""), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);   // no CDN, no remote script
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_EQ(html.find("modulepreload"), std::string::npos);
  expect_error("export t.attn.safetensors -o t2.html", 2, "--html");
  expect_error("export t.attn.safetensors --html -o t2.png", 2, ".html");
}

TEST_F(ViewerCommands, ViewOnABusyPortFailsCleanly) {
  // Hold a port with a first viewer, then ask a second one for it.
  const std::string bg = "cd '" + dir_.string() + "' && ('" + std::string(ATTNSCOPE_BINARY_DIR) +
                         "/attnscope' view t.attn.safetensors >url.txt 2>&1 & echo $! >pid.txt)";
  ASSERT_EQ(std::system(bg.c_str()), 0);
  std::string url;
  for (int i = 0; i < 200 && url.find("http://127.0.0.1:") == std::string::npos; ++i) {
    std::system("sleep 0.05");
    url = slurp(dir_ / "url.txt");
  }
  const size_t at = url.find("127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << url;
  const int port = std::atoi(url.c_str() + at + 10);
  expect_error("view t.attn.safetensors --port " + std::to_string(port), 1, "cannot listen on 127.0.0.1:" + std::to_string(port));
  std::system(("kill " + slurp(dir_ / "pid.txt")).c_str());
  expect_error("view t.attn.safetensors --port 70000", 2, "70000");
}

// Issue 16 (smaller): show wraps at the terminal's width (shells do not export $COLUMNS), labels
// tokens as every view does (the space token "·", a word start "·cat": columns line up), and keys
// after the query of a causal row are marked as its future, not printed as weights of 0.
TEST_F(ViewerCommands, ShowFollowsTheTerminalAndMarksTheFuture) {
  std::ofstream(dir_ / "c.npy", std::ios::binary) << attention_npy(1, 1, 5, true);
  std::ofstream(dir_ / "c.json") << R"(["The", " cat", " ", "\u2581sat", "on"])";
  ASSERT_EQ(run("trace import c.npy --tokens c.json -o c.attn.safetensors").code, 0);
  const CmdResult r = run("show c.attn.safetensors --query 1");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("The[0.5000] _\u00B7cat[0.5000]_ \u00B7[-] \u00B7sat[-] on[-]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[-]: after the query (causal)"), std::string::npos) << r.out;
  EXPECT_EQ(run("show t.attn.safetensors --query 1").out.find("[-]"), std::string::npos) << "a row over every key is not causal";
  // Not a terminal and no $COLUMNS: 80 columns. Tokens "tokNN[0.0167] " take 14 columns each:
  // 5 a line (7 at the former 100).
  {
    std::ofstream(dir_ / "w.npy", std::ios::binary) << attention_npy(1, 1, 30);
    std::string toks = "[";
    for (int i = 0; i < 30; ++i) toks += std::string(i ? ", " : "") + "\"tok" + std::to_string(10 + i) + "\"";
    std::ofstream(dir_ / "w.json") << toks + "]";
    ASSERT_EQ(run("trace import w.npy --tokens w.json -o w.attn.safetensors").code, 0);
    const std::string cmd = "cd '" + dir_.string() + "' && env -u COLUMNS '" + bin_.string() +
                            "' show w.attn.safetensors --query 0 >plain.txt 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    const std::string plain = slurp(dir_ / "plain.txt");
    const size_t first = plain.find('\n') + 1, end = plain.find('\n', first);
    const std::string line = plain.substr(first, end - first);
    EXPECT_EQ(std::count(line.begin(), line.end(), '['), 5) << line;
  }
  if (std::system("command -v script >/dev/null 2>&1") != 0) GTEST_SKIP() << "no script(1) to give show a terminal";
  // On a 40-column terminal without $COLUMNS: the token line wraps before column 40.
  const std::string cmd = "cd '" + dir_.string() + "' && script -qc \"stty cols 40; env -u COLUMNS NO_COLOR=1 '" +
                          bin_.string() + "' show c.attn.safetensors --query 1\" /dev/null </dev/null >tty.txt 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const std::string tty = slurp(dir_ / "tty.txt");
  EXPECT_NE(tty.find("\u00B7sat[-] \r\non[-]"), std::string::npos) << tty;
}
