#include "attnscope/serve/terminal_show.h"

#include <gtest/gtest.h>

#include "attnscope/core/error.h"
#include "attnscope/viz/colormap.h"
#include "fixture_trace.h"

using namespace attnscope;

TEST(TerminalShow, ShadesTheHottestTokenWithTheTopColour) {
  serve::TraceSource src(test::make_trace(2, 3, 12));
  serve::ShowOptions o;
  o.layer = 1;
  o.head = 2;
  const std::string out = serve::show_trace(src, o);
  // key hot_key(1, 2, 12) = 5 ("over") has the largest weight: the colour map's last entry
  const auto top = viz::colormap("viridis").entry8(255);
  const std::string esc = "\x1b[48;2;" + std::to_string(top.r) + ";" + std::to_string(top.g) + ";" +
                          std::to_string(top.b) + "m\x1b[38;2;0;0;0mover\x1b[0m";
  EXPECT_NE(out.find(esc), std::string::npos) << out;
  EXPECT_NE(out.find("query 11 \"the\""), std::string::npos) << out;
  EXPECT_NE(out.find("\x1b[4;1m"), std::string::npos);  // the query token itself is underlined
}

TEST(TerminalShow, PlainModeWrapsAndListsTheStrongestKeys) {
  serve::TraceSource src(test::make_trace(1, 1, 40));
  serve::ShowOptions o;
  o.color = false;
  o.width = 40;
  o.query = 39;
  const std::string out = serve::show_trace(src, o);
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  size_t longest = 0, start = 0;
  for (size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1)
    if (start > 0 && out.compare(start, 2, "  ") != 0) longest = std::max(longest, nl - start);
  EXPECT_LE(longest, 40u + 1);
  EXPECT_NE(out.find("##############################  The\n"), std::string::npos) << out;  // hot_key(0,0,40)=0
}

TEST(TerminalShow, BadOptionsAreConfigErrors) {
  serve::TraceSource src(test::make_trace(1, 2, 5));
  serve::ShowOptions o;
  o.cmap = "jet";
  EXPECT_THROW(serve::show_trace(src, o), ConfigError);
  o.cmap = "magma";
  o.query = 5;
  EXPECT_THROW(serve::show_trace(src, o), ConfigError);
  o.query = 0;
  o.head = 2;
  EXPECT_THROW(serve::show_trace(src, o), ConfigError);
}
