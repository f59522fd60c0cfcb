#include "attnscope/viz/image_overlay.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/viz/animation_output.h"
#include "attnscope/viz/token_animation.h"
#include "fixtures.h"
#include "viz_test_util.h"
#include "shared_data.h"

using namespace attnscope;

namespace {
// A 4x5 image grid attended by 3 caption words; word w looks at region hot[w]. Grey image.
io::Trace image_trace(const int64_t (&hot)[3]) {
  io::Trace t;
  io::TraceSequence img{"image", {}, 4, 5};
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 5; ++c) img.tokens.push_back(std::to_string(r) + "," + std::to_string(c));
  t.sequences.push_back(img);
  t.sequences.push_back({"caption", {"a", "dog", "runs"}, 0, 0});
  io::TraceLayer L;
  L.name = "decoder.attn";
  L.query_seq = "caption";
  L.key_seq = "image";
  L.heads = 1;
  L.queries = 3;
  L.keys = 20;
  for (int q = 0; q < 3; ++q)
    for (int k = 0; k < 20; ++k) L.weights.push_back(k == hot[q] ? 0.81f : 0.01f);
  t.layers.push_back(L);
  t.image.height = 80;
  t.image.width = 100;
  t.image.channels = 3;
  t.image.pixels.assign(80 * 100 * 3, 128);
  return t;
}
}  // namespace

TEST(ImageOverlay, HottestRegionIsTintedMost) {
  const int64_t hot[3] = {7, 13, 0};  // (1,2), (2,3), (0,0)
  io::Trace t = image_trace(hot);
  EXPECT_EQ(viz::image_grid(t, t.layers[0]), (std::pair<int64_t, int64_t>{4, 5}));
  viz::Frame img = viz::load_trace_image(t);
  viz::Frame f(200, 160);
  const float* row = t.layers[0].weights.data() + 20;  // word "dog"
  f.paint([&](cairo_t* cr) {
    double x = 0, y = 0, w = 200, h = 160;
    viz::draw_overlay(cr, x, y, w, h, img, row, 4, 5, viz::ColorScale(0.81f, viz::ScaleCurve::linear),
                      viz::colormap("viridis"));
  });
  // Region (2,3) centre vs region (0,0) centre: the hot one moved far from grey 128.
  auto diff = [&](int r, int c) {
    const uint32_t p = f.at(static_cast<int>((c + 0.5) * 40), static_cast<int>((r + 0.5) * 40));
    return std::abs(viz::Frame::r(p) - 128) + std::abs(viz::Frame::g(p) - 128) + std::abs(viz::Frame::b(p) - 128);
  };
  EXPECT_GT(diff(2, 3), 100);
  EXPECT_LT(diff(0, 0), 20);
  // The picture with one panel per word.
  viz::render_overlay(t, 0, 0, fixture::out_path("overlay.png"));
  EXPECT_GT(fixture::load_png(fixture::out_path("overlay.png")).width, 0);
}

TEST(ImageOverlay, AnimationMovesPerWordAndGifUsesAPhotoPalette) {
  const int64_t hot[3] = {7, 13, 0};
  io::Trace t = image_trace(hot);
  viz::AnimationOptions o;
  o.width = 320;
  o.height = 240;
  o.fps = 2;
  o.seconds_per_token = 0.5;
  viz::TokenAnimation anim(t, 0, 0, o);
  EXPECT_EQ(anim.mode(), viz::TokenAnimation::Mode::image);
  viz::AnimationTarget target{fixture::out_path("overlay.gif"), 320, 240, 2, "viridis", {}};
  target.photo_samples.emplace_back(320, 240);
  target.photo_samples.back().paint([&](cairo_t* cr) { anim.draw(cr, 0); });
  viz::write_animation(target, [&](viz::FrameSink& s) { anim.render(s); });
  EXPECT_GT(read_file(target.path).size(), 100u);
}

TEST(ImageOverlay, BadImagesAreClearErrors) {
  const int64_t hot[3] = {0, 1, 2};
  io::Trace t = image_trace(hot);
  t.image.pixels.resize(10);
  EXPECT_THROW(viz::load_trace_image(t), ShapeError);
  t.image = {};
  EXPECT_THROW(viz::load_trace_image(t), ValueError);
  t.image_path = "/nonexistent/x.jpg";
  EXPECT_THROW(viz::load_trace_image(t), IoError);
  const std::string junk = fixture::out_path("junk.jpg");
  write_file_atomic(junk, "not a jpeg at all");
  t.image_path = junk;
  EXPECT_THROW(viz::load_trace_image(t), FormatError);
  io::Trace text = fixture::self_trace(4, 1, 1);
  EXPECT_THROW(viz::render_overlay(text, 0, 0, fixture::out_path("x.png")), ConfigError);
  // Issue 17 item 5: /dev/zero was read until 16.8 GB, a FIFO hung forever. Only regular files.
  t.image_path = "/dev/zero";
  EXPECT_THROW(viz::load_trace_image(t), IoError);
  const std::string fifo = fixture::out_path("image.fifo");
  std::filesystem::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  t.image_path = fifo;
  EXPECT_THROW(viz::load_trace_image(t), IoError);
  std::filesystem::remove(fifo);
  // A relative path is relative to the trace's directory, not to the working directory.
  const std::string dir = std::filesystem::path(junk).parent_path().string();
  t.image_path = std::filesystem::path(junk).filename().string();
  EXPECT_THROW(viz::load_trace_image(t, dir), FormatError);  // found beside the trace (and not a JPEG)
  EXPECT_THROW(viz::load_trace_image(t, "/nonexistent"), IoError);
}

TEST(ImageOverlay, RealJpegWhenSharedDataIsPresent) {
  const std::string dir = attnscope::testing::shared_data_dir() + "/flickr8k_subset";
  std::string jpg;
  if (std::filesystem::exists(dir))
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
      if (e.path().extension() == ".jpg") {
        jpg = e.path().string();
        break;
      }
  if (jpg.empty()) GTEST_SKIP() << "../shared/data/flickr8k_subset absent";
  const int64_t hot[3] = {0, 1, 2};
  io::Trace t = image_trace(hot);
  t.image = {};
  t.image_path = jpg;
  viz::Frame img = viz::load_trace_image(t);
  EXPECT_GT(img.width, 50);
  EXPECT_GT(img.height, 50);
}
