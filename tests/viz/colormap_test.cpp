#include "attnscope/viz/colormap.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include <nlohmann/json.hpp>

using namespace attnscope;

TEST(Colormap, PublishedEndpoints) {
  // First and last entries of the published tables.
  EXPECT_DOUBLE_EQ(viz::colormap("viridis").entry(0, 0), 0.267004);
  EXPECT_DOUBLE_EQ(viz::colormap("viridis").entry(255, 1), 0.906157);
  EXPECT_DOUBLE_EQ(viz::colormap("magma").entry(255, 2), 0.749504);
  EXPECT_DOUBLE_EQ(viz::colormap("cividis").entry(0, 2), 0.304751);
  EXPECT_EQ(viz::colormap("viridis").entry8(255), (viz::Rgb8{253, 231, 37}));
  EXPECT_EQ(viz::colormap("viridis").entry8(0), (viz::Rgb8{68, 1, 84}));
  EXPECT_EQ(viz::colormap_names().size(), 3u);
}

TEST(Colormap, PerceptuallyOrderedLuminanceIncreases) {
  // All three maps are monotone in lightness; a shuffled or truncated table would not be.
  for (const auto& name : viz::colormap_names()) {
    const auto& m = viz::colormap(name);
    double prev = -1;
    for (int i = 0; i < 256; i += 5) {
      const double y = 0.2126 * m.entry(i, 0) + 0.7152 * m.entry(i, 1) + 0.0722 * m.entry(i, 2);
      EXPECT_GT(y, prev) << name << " entry " << i;
      prev = y;
    }
  }
}

TEST(Colormap, IndexRule) {
  EXPECT_EQ(viz::Colormap::index(0.0), 0);
  EXPECT_EQ(viz::Colormap::index(-1.0), 0);
  EXPECT_EQ(viz::Colormap::index(NAN), 0);
  EXPECT_EQ(viz::Colormap::index(0.5), 128);
  EXPECT_EQ(viz::Colormap::index(0.999), 255);
  EXPECT_EQ(viz::Colormap::index(1.0), 255);
  EXPECT_EQ(viz::Colormap::index(7.0), 255);
}

TEST(Colormap, UnknownNameIsAClearError) {
  try {
    viz::colormap("jet");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown colour map 'jet'"), std::string::npos);
  }
}

// web/util/colormaps.js is generated from the same table; it must not drift.
TEST(Colormap, WebColormapsJsIsGeneratedFromTheSameTables) {
  const std::string path = std::string(ATTNSCOPE_SOURCE_DIR) + "/web/util/colormaps.js";
  const std::string js = viz::colormaps_js();
  if (std::getenv("ATTNSCOPE_UPDATE_COLORMAPS_JS")) write_file_atomic(path, js);
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path << " missing: run with ATTNSCOPE_UPDATE_COLORMAPS_JS=1";
  EXPECT_EQ(read_file(path), js) << path << " differs from viz::colormaps_js(): regenerate with "
                                    "ATTNSCOPE_UPDATE_COLORMAPS_JS=1";
  EXPECT_NE(js.find("0.267004, 0.004874, 0.329415"), std::string::npos);
}

#include "attnscope/viz/text.h"

// One convention for every view (issue 16: pictures dropped SentencePiece word starts, "c le
// ver", while the viewer marked them): the table the viewer's tokenLabel is tested against too.
TEST(Text, DisplayTokenMakesTokensVisible) {
  const auto table = nlohmann::json::parse(attnscope::read_file(std::string(ATTNSCOPE_SOURCE_DIR) + "/tests/data/token_labels.json"));
  ASSERT_GE(table["labels"].size(), 10u);
  for (const auto& row : table["labels"])
    EXPECT_EQ(viz::display_token(row["raw"].get<std::string>()), row["shown"].get<std::string>()) << row.dump();
  EXPECT_EQ(viz::display_token("\xFF" "a"), "\uFFFD" "a");  // invalid UTF-8
}
