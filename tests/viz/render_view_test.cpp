// render_view (viz/render_view.h): the one dispatch of `render` and Python's render.
#include <gtest/gtest.h>

#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/viz/render_view.h"
#include "fixtures.h"

using namespace attnscope;

TEST(RenderView, DrawsEachViewAndRefusesBadRequests) {
  const io::Trace t = fixture::self_trace(5, 2, 2);
  // A request naming only some fields (GCC 12 warns on designated initializers that skip some).
  const auto req = [](std::string view, std::string head = "", std::string layer = "", std::string colormap = "viridis") {
    viz::RenderRequest r;
    r.view = std::move(view), r.head = std::move(head), r.layer = std::move(layer), r.colormap = std::move(colormap);
    return r;
  };
  const auto dir = std::filesystem::temp_directory_path() / "attnscope_render_view_test";
  std::filesystem::create_directories(dir);
  for (const char* view : {"heatmap", "head", "model"}) {
    const auto out = (dir / (std::string(view) + ".svg")).string();
    viz::render_view(t, req(view), out);
    EXPECT_GT(std::filesystem::file_size(out), 100u) << view;
  }
  const viz::RenderRequest grid = req("heatmap", "all");
  viz::render_view(t, grid, (dir / "grid.png").string());
  EXPECT_THROW(viz::render_view(t, req("pie"), (dir / "x.png").string()), ConfigError);
  EXPECT_THROW(viz::render_view(t, req("overlay", "all"), (dir / "x.png").string()), ConfigError);
  EXPECT_THROW(viz::render_view(t, req("heatmap", "", "9"), (dir / "x.png").string()), ConfigError);
  EXPECT_THROW(viz::render_view(t, req("heatmap", "", "", "rainbow"), (dir / "x.png").string()), ConfigError);
  std::filesystem::remove_all(dir);
}
