#include "attnscope/viz/token_animation.h"

#include <gif_lib.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/viz/animation_output.h"
#include "attnscope/viz/gif_palette.h"
#include "attnscope/viz/mp4_writer.h"
#include "fixtures.h"
#include "viz_test_util.h"

using namespace attnscope;

namespace {
struct DecodedGif {
  int width = 0, height = 0, frames = 0, total_cs = 0, loops = -1;
  std::vector<int> delays;
  std::vector<viz::Rgb8> palette;
};

DecodedGif decode(const std::string& path) {
  DecodedGif d;
  int err = 0;
  GifFileType* g = DGifOpenFileName(path.c_str(), &err);
  if (!g) return d;
  if (DGifSlurp(g) == GIF_OK) {
    d.width = g->SWidth;
    d.height = g->SHeight;
    d.frames = g->ImageCount;
    for (int i = 0; i < g->ImageCount; ++i) {
      GraphicsControlBlock gcb;
      if (DGifSavedExtensionToGCB(g, i, &gcb) == GIF_OK) {
        d.delays.push_back(gcb.DelayTime);
        d.total_cs += gcb.DelayTime;
      }
    }
    if (g->SColorMap)
      for (int i = 0; i < g->SColorMap->ColorCount; ++i)
        d.palette.push_back({g->SColorMap->Colors[i].Red, g->SColorMap->Colors[i].Green, g->SColorMap->Colors[i].Blue});
    // giflib files the looping block with the first image's extensions.
    if (g->ImageCount > 0) {
      const SavedImage& first = g->SavedImages[0];
      for (int i = 0; i < first.ExtensionBlockCount; ++i)
        if (first.ExtensionBlocks[i].Function == APPLICATION_EXT_FUNC_CODE && first.ExtensionBlocks[i].ByteCount == 11 &&
            std::string(reinterpret_cast<char*>(first.ExtensionBlocks[i].Bytes), 11) == "NETSCAPE2.0")
          d.loops = 0;
    }
  }
  DGifCloseFile(g, &err);
  return d;
}

int rgb_distance(viz::Rgb8 a, viz::Rgb8 b) {
  return std::max({std::abs(a.r - b.r), std::abs(a.g - b.g), std::abs(a.b - b.b)});
}
}  // namespace

TEST(TokenAnimation, GifDecodesWithFramesAndDurationsAsAsked) {
  io::Trace t = fixture::self_trace(12, 1, 2);
  viz::AnimationOptions o;
  o.width = 480;
  o.height = 320;
  o.fps = 10;
  o.seconds_per_token = 0.3;  // 3 frames per token, arcs grow in
  o.hold = 1.5;
  viz::TokenAnimation anim(t, 0, 1, o);
  EXPECT_EQ(anim.mode(), viz::TokenAnimation::Mode::self);
  EXPECT_EQ(anim.frame_count(), 36);
  const std::string path = fixture::out_path("anim.gif");
  viz::write_animation({path, o.width, o.height, o.fps, o.colormap, {}}, [&](viz::FrameSink& s) { anim.render(s); });
  DecodedGif d = decode(path);
  EXPECT_EQ(d.width, 480);
  EXPECT_EQ(d.height, 320);
  EXPECT_EQ(d.loops, 0);
  // Identical frames merge, so at most 36, but every token adds at least one distinct frame.
  EXPECT_LE(d.frames, 36);
  EXPECT_GE(d.frames, 12);
  EXPECT_EQ(d.total_cs, 360 + 150);  // 36 frames of 10 cs + 1.5 s hold
  EXPECT_GE(d.delays.back(), 150);
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  for (const auto& e : std::filesystem::directory_iterator(dir.empty() ? "." : dir))
    EXPECT_EQ(e.path().filename().string().rfind(std::filesystem::path(path).filename().string() + ".tmp.", 0),
              std::string::npos);
}

TEST(TokenAnimation, CurrentTokenIsOutlinedAndHottestKeyShaded) {
  io::Trace t = fixture::self_trace(10, 1, 1, 1, true, 0.5);
  fixture::plant(t.layers[0], 0, 7, 2);
  viz::AnimationOptions o;
  o.width = 640;
  o.height = 360;
  viz::TokenAnimation anim(t, 0, 0, o);
  viz::Frame f(o.width, o.height);
  f.paint([&](cairo_t* cr) { anim.draw(cr, 7.0); });
  // The key box of token 2 is filled with the colour map's top; token 7 has a red outline.
  const auto kb = anim.key_box(2);
  const uint32_t inside = f.at(static_cast<int>(kb.x + 3), static_cast<int>(kb.y + kb.h - 3));
  const viz::Rgb8 top = viz::colormap("viridis").entry8(255);
  EXPECT_EQ(viz::Rgb8(viz::Frame::r(inside), viz::Frame::g(inside), viz::Frame::b(inside)), top);
  const auto qb = anim.query_box(7);
  const uint32_t edge = f.at(static_cast<int>(qb.x + qb.w / 2), static_cast<int>(qb.y + qb.h));
  EXPECT_GT(viz::Frame::r(edge), 180);
  EXPECT_LT(viz::Frame::g(edge), 90);
  // Tokens after the current one have not appeared yet (causal trace): background there.
  const auto later = anim.key_box(9);
  const uint32_t bg = f.at(static_cast<int>(later.x + later.w / 2), static_cast<int>(later.y + later.h / 2));
  EXPECT_EQ(bg & 0xFFFFFFu, 0xFFFFFFu);
}

TEST(TokenAnimation, CrossAttentionAndPngSequence) {
  io::Trace t = fixture::cross_trace(9, 6);
  viz::AnimationOptions o;
  o.width = 400;
  o.height = 300;
  o.fps = 4;
  o.seconds_per_token = 0.25;
  o.hold = 0.5;
  viz::TokenAnimation anim(t, 0, focus::kHeadMean, o);
  EXPECT_EQ(anim.mode(), viz::TokenAnimation::Mode::cross);
  const std::string dir = fixture::out_path("frames/");
  std::filesystem::remove_all(dir);
  viz::write_animation({dir, o.width, o.height, o.fps, o.colormap, {}}, [&](viz::FrameSink& s) { anim.render(s); });
  for (int i = 0; i < 6; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "frame_%05d.png", i);
    viz::Frame f = fixture::load_png(dir + name);
    EXPECT_EQ(f.width, 400) << name;
  }
  const std::string json = read_file(dir + "frames.json");
  EXPECT_EQ(fixture::count(json, "\"file\""), 6u);
  EXPECT_NE(json.find("\"duration_ms\": 750"), std::string::npos);  // 250 ms + 500 ms hold
}

TEST(TokenAnimation, Mp4ThroughFfmpegOrAClearError) {
  io::Trace t = fixture::self_trace(6, 1, 1);
  viz::AnimationOptions o;
  o.width = 320;
  o.height = 240;
  o.fps = 5;
  o.seconds_per_token = 0.2;
  viz::TokenAnimation anim(t, 0, 0, o);
  const std::string path = fixture::out_path("anim.mp4");
  std::filesystem::remove(path);
  if (viz::find_ffmpeg().empty()) {
    EXPECT_THROW(viz::write_animation({path, 320, 240, 5, "viridis", {}}, [&](viz::FrameSink& s) { anim.render(s); }),
                 ConfigError);
    GTEST_SKIP() << "ffmpeg not installed: checked the error only";
  }
  viz::write_animation({path, 320, 240, 5, "viridis", {}}, [&](viz::FrameSink& s) { anim.render(s); });
  const std::string mp4 = read_file(path);
  ASSERT_GT(mp4.size(), 100u);
  EXPECT_EQ(mp4.substr(4, 4), "ftyp");
  // Missing ffmpeg: the error names the Debian package.
  ::setenv("ATTNSCOPE_FFMPEG", "/nonexistent/ffmpeg", 1);
  try {
    viz::write_animation({path + "2.mp4", 320, 240, 5, "viridis", {}}, [&](viz::FrameSink& s) { anim.render(s); });
    ADD_FAILURE() << "expected an error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("Debian package 'ffmpeg'"), std::string::npos);
  }
  ::unsetenv("ATTNSCOPE_FFMPEG");
  EXPECT_FALSE(std::filesystem::exists(path + "2.mp4"));
  EXPECT_THROW(viz::write_animation({fixture::out_path("odd.mp4"), 321, 240, 5, "viridis", {}},
                                    [&](viz::FrameSink& s) { anim.render(s); }),
               ConfigError);
}

TEST(GifPalette, ColourMapsHaveNoBanding) {
  // Every colour-map entry has a palette colour within 3 levels per channel, and neighbouring
  // map entries never collapse into runs longer than 3 (which would show as bands).
  for (const auto& name : viz::colormap_names()) {
    const auto& cmap = viz::colormap(name);
    viz::GifPalette p = viz::drawing_palette(cmap);
    ASSERT_LE(p.colors.size(), 255u);
    viz::Quantizer qz(p);
    int run = 1, longest = 1;
    int prev = -1;
    for (int i = 0; i < 256; ++i) {
      const viz::Rgb8 c = cmap.entry8(i);
      const int idx = qz.index(0xFF000000u | uint32_t(c.r) << 16 | uint32_t(c.g) << 8 | c.b);
      EXPECT_LE(rgb_distance(p.colors[static_cast<size_t>(idx)], c), 3) << name << " " << i;
      run = idx == prev ? run + 1 : 1;
      longest = std::max(longest, run);
      prev = idx;
    }
    EXPECT_LE(longest, 3) << name;
  }
}

TEST(TokenAnimation, BadOptionsAreClearErrors) {
  io::Trace t = fixture::self_trace(5, 1, 1);
  viz::AnimationOptions o;
  o.colormap = "hot";
  EXPECT_THROW(viz::TokenAnimation(t, 0, 0, o), ConfigError);
  o = {};
  o.fps = 0;
  EXPECT_THROW(viz::TokenAnimation(t, 0, 0, o), ConfigError);
  o = {};
  EXPECT_THROW(viz::TokenAnimation(t, 4, 0, o), ConfigError);
  EXPECT_THROW(viz::TokenAnimation(t, 0, 3, o), ConfigError);
  EXPECT_THROW(viz::animation_format_for("x.avi"), ConfigError);
  viz::TokenAnimation anim(t, 0, 0, o);
  EXPECT_THROW(viz::write_animation({fixture::out_path("fast.gif"), 800, 600, 60, "viridis", {}},
                                    [&](viz::FrameSink& s) { anim.render(s); }),
               ConfigError);
  t.steps = {0, 7};
  EXPECT_THROW(viz::TokenAnimation(t, 0, 0, o), ShapeError);
}

TEST(TokenAnimation, LongTextScrollsToKeepTheCurrentTokenInView) {
  io::Trace t = fixture::self_trace(600, 1, 1, 5, true, 0.5);
  fixture::plant(t.layers[0], 0, 590, 585);
  viz::AnimationOptions o;
  o.width = 480;
  o.height = 320;
  viz::TokenAnimation anim(t, 0, 0, o);
  // Laid out past the frame: the last tokens sit below it before scrolling.
  EXPECT_GT(anim.query_box(599).y, 320);
  viz::Frame f(o.width, o.height);
  f.paint([&](cairo_t* cr) { anim.draw(cr, 590.0); });
  // The hottest key (585) is drawn somewhere in the frame in the colour map's top colour.
  const viz::Rgb8 top = viz::colormap("viridis").entry8(255);
  int hits = 0;
  for (uint32_t p : f.px) hits += viz::Frame::r(p) == top.r && viz::Frame::g(p) == top.g && viz::Frame::b(p) == top.b;
  EXPECT_GT(hits, 50);
}

// Sentence pairs in the token animation (as the viewer and the static pictures split them): part
// B starts its own line, both lines start after a band holding the letters A and B (#2d5fa8);
// without segments the text runs on from the left margin.
TEST(TokenAnimation, SentencePairStartsPartBOnItsOwnLetteredLine) {
  io::Trace t = fixture::self_trace(12, 1, 1, 1, /*causal=*/false, 0.5);
  viz::AnimationOptions o;
  o.width = 800;
  o.height = 400;
  const viz::TokenAnimation plain(t, 0, 0, o);
  t.sequences[0].segments = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1};
  const viz::TokenAnimation pair(t, 0, 0, o);
  EXPECT_EQ(plain.key_box(5).y, plain.key_box(4).y) << "12 short words fit one line";
  EXPECT_GT(pair.key_box(5).y, pair.key_box(4).y) << "B starts a line";
  EXPECT_EQ(pair.key_box(5).x, pair.key_box(0).x);
  EXPECT_GT(pair.key_box(0).x, plain.key_box(0).x + 10) << "a band for the letters";
  viz::Frame f(o.width, o.height);
  f.paint([&](cairo_t* cr) { pair.draw(cr, 11.0); });
  auto blue_in = [&](const viz::TokenAnimation::Box& b) {
    int n = 0;
    for (int y = static_cast<int>(b.y); y < static_cast<int>(b.y + b.h); ++y)
      for (int x = 0; x < static_cast<int>(b.x) - 2; ++x) {
        const uint32_t p = f.at(x, y);
        n += viz::Frame::b(p) > viz::Frame::r(p) + 60 && viz::Frame::b(p) > 120 && viz::Frame::g(p) < 130;
      }
    return n;
  };
  EXPECT_GT(blue_in(pair.key_box(0)), 10) << "A";
  EXPECT_GT(blue_in(pair.key_box(5)), 10) << "B";
}
