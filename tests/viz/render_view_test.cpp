// render_view (viz/render_view.h): the one dispatch of `render` and Python's render.
#include <gtest/gtest.h>

#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/viz/render_view.h"
#include "fixtures.h"

using namespace attnscope;

TEST(RenderView, DrawsEachViewAndRefusesBadRequests) {
  const io::Trace t = fixture::self_trace(5, 2, 2);
  const auto dir = std::filesystem::temp_directory_path() / "attnscope_render_view_test";
  std::filesystem::create_directories(dir);
  for (const char* view : {"heatmap", "head", "model"}) {
    const auto out = (dir / (std::string(view) + ".svg")).string();
    viz::render_view(t, {.view = view}, out);
    EXPECT_GT(std::filesystem::file_size(out), 100u) << view;
  }
  viz::RenderRequest grid{.view = "heatmap", .head = "all"};
  viz::render_view(t, grid, (dir / "grid.png").string());
  EXPECT_THROW(viz::render_view(t, {.view = "pie"}, (dir / "x.png").string()), ConfigError);
  EXPECT_THROW(viz::render_view(t, {.view = "overlay", .head = "all"}, (dir / "x.png").string()), ConfigError);
  EXPECT_THROW(viz::render_view(t, {.layer = "9"}, (dir / "x.png").string()), ConfigError);
  EXPECT_THROW(viz::render_view(t, {.colormap = "rainbow"}, (dir / "x.png").string()), ConfigError);
  std::filesystem::remove_all(dir);
}
