#include "attnscope/viz/training_animation.h"

#include <gif_lib.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/focus/attention_map.h"
#include "attnscope/viz/animation_output.h"
#include "attnscope/viz/png_sequence.h"
#include "fixtures.h"
#include "viz_test_util.h"

using namespace attnscope;

TEST(TrainingAnimation, OneFramePerSnapshotWithItsDuration) {
  io::Trace t = fixture::self_trace(8, 1, 2);
  for (int s = 0; s < 4; ++s) {
    io::TraceSnapshot snap;
    snap.label = "epoch " + std::to_string(s);
    snap.step = 100 * s;
    snap.layers.push_back(fixture::self_layer("layer0", 2, 8, 40 + static_cast<uint64_t>(s), true, 0.5 + s));
    t.snapshots.push_back(snap);
  }
  auto frames = viz::snapshot_frames(t, 0);
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(frames[2].label, "epoch 2");
  viz::TrainingAnimationOptions o;
  o.width = 480;
  o.height = 360;
  o.seconds_per_frame = 0.4;
  o.hold = 1.0;
  const std::string dir = fixture::out_path("training/");
  std::filesystem::remove_all(dir);
  viz::PngSequenceWriter seq(dir);
  EXPECT_EQ(viz::render_training_animation(frames, focus::kHeadMean, o, seq), 4);
  EXPECT_EQ(seq.files().size(), 4u);
  const std::string json = read_file(dir + "frames.json");
  EXPECT_EQ(fixture::count(json, "\"duration_ms\": 400"), 3u);
  EXPECT_EQ(fixture::count(json, "\"duration_ms\": 1400"), 1u);
  viz::Frame f = fixture::load_png(dir + "frame_00003.png");
  EXPECT_EQ(f.width, 480);
  EXPECT_EQ(f.height, 360);

  const std::string gif = fixture::out_path("training.gif");
  viz::write_animation({gif, 480, 360, 10, "magma", {}},
                       [&](viz::FrameSink& s) { viz::render_training_animation(frames, 1, o, s); });
  int err = 0;
  GifFileType* g = DGifOpenFileName(gif.c_str(), &err);
  ASSERT_TRUE(g);
  ASSERT_EQ(DGifSlurp(g), GIF_OK);
  EXPECT_EQ(g->ImageCount, 4);
  int total = 0;
  for (int i = 0; i < g->ImageCount; ++i) {
    GraphicsControlBlock gcb;
    DGifSavedExtensionToGCB(g, i, &gcb);
    total += gcb.DelayTime;
  }
  EXPECT_EQ(total, 4 * 40 + 100);
  DGifCloseFile(g, &err);
}

TEST(TrainingAnimation, NoSnapshotsIsAClearError) {
  io::Trace t = fixture::self_trace(5, 1, 1);
  EXPECT_THROW(viz::snapshot_frames(t, 0), ValueError);
}
