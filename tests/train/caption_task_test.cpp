// The caption task on the Trainer: it learns the built-in scenes and soft attention points at the
// object each word names; a checkpoint captions like the trained model; every attention kind
// trains; the trace holds the image grid and its pixels; bad settings are refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "attnscope/autograd/gradcheck.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/nn/eval_mode.h"
#include "attnscope/models/caption/evaluate.h"
#include "attnscope/models/sentiment/classifier.h"
#include "attnscope/train/tasks/caption_task.h"
#include "attnscope/train/trainer.h"
#include "slow_tests.h"

namespace attnscope::train {
namespace {

namespace fs = std::filesystem;

Settings scene_settings(const std::map<std::string, std::string>& kv) {
  Settings s(caption_settings());
  for (const auto& [k, v] : kv) s.set(k, v);
  return s;
}

TrainerOptions quick_caption(const Settings& s, int64_t steps) {
  TrainerOptions o = caption_defaults(s);
  o.steps = steps;
  o.eval_every = steps;
  o.warmup = std::min<int64_t>(o.warmup, steps / 4);
  o.quiet = true;
  return o;
}

double mean_of(const std::vector<float>& v, size_t from, size_t n) {
  double m = 0;
  for (size_t i = from; i < from + n; ++i) m += v[i];
  return m / static_cast<double>(n);
}

// Loss falls; with the slow tests, soft attention points at the named object (measured:
// TBD after 400 steps; asserted with a wide margin).
TEST(CaptionTask, LearnsScenesAndSoftAttentionPointsAtTheObject) {
  // Fast (ASan) runs: a small model for 40 steps; the slow run trains the default one.
  const Settings s = slow_tests() ? scene_settings({}) : scene_settings({{"hidden", "32"}, {"channels", "16"}});
  CaptionTask task(s, 1);
  const TrainResult r = run_training(task, quick_caption(s, slow_tests() ? 600 : 40));
  ASSERT_GE(r.losses.size(), 40u);
  EXPECT_LT(mean_of(r.losses, r.losses.size() - 10, 10), 0.6 * mean_of(r.losses, 0, 10));
  if (!slow_tests()) return;
  const auto e = models::evaluate_scenes(task.captioner(), data::make_scenes(data::ScenePool::test, 3, 200));
  EXPECT_GE(e.pointing, 0.55);
  EXPECT_GT(e.bleu[3], 50.0);
}

TEST(CaptionTask, CheckpointCaptionsLikeTheTrainedModelAndTracesTheImage) {
  const fs::path dir = fs::temp_directory_path() / "attnscope_caption_task_ckpt";
  fs::create_directories(dir);
  const std::string path = (dir / "m.safetensors").string();
  const Settings s = scene_settings({{"attention", "adaptive"}, {"hidden", "32"}, {"channels", "16"}});
  CaptionTask task(s, 2);
  TrainerOptions o = quick_caption(s, 20);
  o.output = path;
  o.keep_best = false;
  run_training(task, o);
  const auto scenes = data::make_scenes(data::ScenePool::test, 5, 8);
  std::vector<const data::Image*> images;
  for (const auto& sc : scenes) images.push_back(&sc.image);
  const auto want = task.captioner().generate(images);
  auto loaded = models::Captioner::load(path);
  EXPECT_EQ(loaded->model_type(), "caption-adaptive");
  const auto got = loaded->generate(images);
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].words, want[i].words);
    ASSERT_EQ(got[i].beta.size(), want[i].beta.size());
    for (size_t t = 0; t < want[i].beta.size(); ++t) EXPECT_FLOAT_EQ(got[i].beta[t], want[i].beta[t]);
  }
  // The trace: words (+ <eos>) over the 8 x 8 image grid, beta per word, the pixels embedded.
  const io::Trace t = loaded->trace(scenes[0].image);
  const io::TraceSequence* grid = t.find_sequence("image");
  ASSERT_NE(grid, nullptr);
  EXPECT_EQ(grid->grid_h, 8);
  EXPECT_EQ(grid->grid_w, 8);
  EXPECT_EQ(grid->tokens.size(), 64u);
  const io::TraceLayer* layer = t.find_layer("decoder.cross");
  ASSERT_NE(layer, nullptr);
  EXPECT_EQ(layer->key_seq, "image");
  EXPECT_EQ(layer->keys, 64);
  EXPECT_EQ(layer->queries, static_cast<int64_t>(t.find_sequence("target")->tokens.size()));
  EXPECT_EQ(layer->extras.at("sentinel_beta").values.size(), static_cast<size_t>(layer->queries));
  EXPECT_EQ(t.image.width, data::kSceneSide);
  EXPECT_EQ(t.image.pixels, scenes[0].image.pixels);
  // Checkpoints of other models are refused both ways.
  EXPECT_THROW(models::SentimentClassifier::load(path), FormatError);
  fs::remove_all(dir);
}

// Training's forward embeds every input word in one call and hands each step its slice; the
// trace replays the caption word by word: the same attention for every word, or the slices are
// misaligned. Two scenes of different lengths, so the shorter one is padded.
TEST(CaptionTask, TeacherForcedForwardLooksWhereTheWordByWordTraceLooks) {
  const Settings s = scene_settings({{"hidden", "32"}, {"channels", "16"}});
  CaptionTask task(s, 3);
  run_training(task, quick_caption(s, 10));
  models::Captioner& m = task.captioner();
  nn::EvalMode eval(m);
  const auto scenes = data::make_scenes(data::ScenePool::test, 9, 2);
  ASSERT_NE(scenes[0].words.size(), scenes[1].words.size());
  const models::CaptionBatch b = m.make_batch({&scenes[0].image, &scenes[1].image}, {scenes[0].words, scenes[1].words});
  const Tensor alpha = m.forward(b).alpha;  // [B, T, K]
  const int64_t K = alpha.size(2);
  for (int64_t i = 0; i < 2; ++i) {
    const io::Trace t = m.trace_caption(scenes[i].image, scenes[i].words);
    const io::TraceLayer* layer = t.find_layer("decoder.cross");
    ASSERT_NE(layer, nullptr);
    ASSERT_EQ(layer->queries, static_cast<int64_t>(scenes[i].words.size()) + 1);  // + <eos>
    for (int64_t q = 0; q < layer->queries; ++q)
      for (int64_t k = 0; k < K; ++k)
        ASSERT_NEAR(layer->weights[q * K + k], alpha.at({i, q, k}), 1e-5) << "scene " << i << " word " << q;
  }
}

TEST(CaptionTask, EveryAttentionKindTrains) {
  for (const char* kind : {"soft", "hard", "adaptive", "none"}) {
    const Settings s = scene_settings({{"attention", kind}, {"hidden", "32"}, {"channels", "16"}});
    CaptionTask task(s, 3);
    const TrainResult r = run_training(task, quick_caption(s, 6));
    for (float l : r.losses) EXPECT_TRUE(std::isfinite(l)) << kind;
    const auto e = models::evaluate_scenes(task.captioner(), data::make_scenes(data::ScenePool::test, 1, 8));
    EXPECT_EQ(e.pointing < 0, std::string(kind) == "none") << kind;
    if (e.pointing >= 0) {
      EXPECT_NEAR(e.pointing + e.miss_edge + e.miss_other + e.miss_elsewhere, 1.0, 1e-9) << kind;
      // The two orders split the object words and their pointing.
      ASSERT_EQ(e.order_words[0] + e.order_words[1], e.object_words) << kind;
      EXPECT_GT(e.order_words[1], 0) << kind;  // these 8 scenes name more than one object
      double split = e.pointing_by_order[0] * static_cast<double>(e.order_words[0]);
      if (e.order_words[1]) split += e.pointing_by_order[1] * static_cast<double>(e.order_words[1]);
      EXPECT_NEAR(split / static_cast<double>(e.object_words), e.pointing, 1e-9) << kind;
    }
    EXPECT_EQ(e.beta_object >= 0, std::string(kind) == "adaptive") << kind;
    // The focus line: the mean over the greedy captions' words of alpha's entropy and peak,
    // recomputed here from the captions themselves.
    if (std::string(kind) == "none") {
      EXPECT_LT(e.focus_entropy, 0);
      continue;
    }
    const auto scenes = data::make_scenes(data::ScenePool::test, 1, 8);
    std::vector<const data::Image*> images;
    for (const auto& sc : scenes) images.push_back(&sc.image);
    double h = 0, peak = 0, words = 0;
    for (const auto& c : task.captioner().generate(images, 1))
      for (size_t t = 0; t < c.words.size(); ++t, ++words) {
        double top = 0;
        for (float w : c.alpha[t]) h -= w > 0 ? w * std::log(w) : 0, top = std::max<double>(top, w);
        peak += top * static_cast<double>(c.alpha[t].size());
      }
    ASSERT_GT(words, 0) << kind;
    EXPECT_NEAR(e.focus_uniform, std::log(64.0), 1e-9) << kind;  // 32 px scenes, 4 px cells
    EXPECT_NEAR(e.focus_entropy, h / words, 1e-6) << kind;
    EXPECT_NEAR(e.focus_peak, peak / words, 1e-5) << kind;
    EXPECT_LE(e.focus_entropy, e.focus_uniform + 1e-6) << kind;
    EXPECT_GE(e.focus_peak, 1.0 - 1e-6) << kind;
    EXPECT_EQ(e.focus_beta >= 0, std::string(kind) == "adaptive") << kind;
    if (e.focus_beta >= 0) {
      EXPECT_LE(e.focus_beta, 1.0) << kind;
    }
  }
}

// --cell 2 skips the encoder's second pooling: a 16 x 16 grid at 32 px, kept by the checkpoint's
// config; configs written before the setting existed read as 4 px cells.
TEST(CaptionTask, TwoPixelCellsGiveASixteenBySixteenGrid) {
  const Settings s = scene_settings({{"cell", "2"}, {"hidden", "32"}, {"channels", "16"}});
  CaptionTask task(s, 4);
  const TrainResult r = run_training(task, quick_caption(s, 4));
  for (float l : r.losses) EXPECT_TRUE(std::isfinite(l));
  const auto scenes = data::make_scenes(data::ScenePool::test, 1, 2);
  const io::Trace t = task.captioner().trace(scenes[0].image);
  EXPECT_EQ(t.find_sequence("image")->grid_h, 16);
  EXPECT_EQ(t.find_layer("decoder.cross")->keys, 256);
  const auto e = models::evaluate_scenes(task.captioner(), scenes);
  EXPECT_GE(e.pointing, 0.0);
  EXPECT_EQ(models::CaptionerConfig::from_json(task.captioner().config().to_json()).cell, 2);
  std::string old = task.captioner().config().to_json();
  old.erase(old.find("\"cell\":2,"), 9);
  EXPECT_EQ(models::CaptionerConfig::from_json(old).cell, 4);
  EXPECT_THROW(CaptionTask(scene_settings({{"cell", "3"}}), 1), ConfigError);
}

double mean_entropy(const std::vector<models::GeneratedCaption>& captions, int64_t* zeros = nullptr) {
  double h = 0;
  int64_t rows = 0;
  for (const auto& c : captions)
    for (const auto& a : c.alpha) {
      double sum = 0;
      for (float w : a) {
        sum += w;
        if (w > 0) h -= w * std::log(w);
        else if (zeros) ++*zeros;
      }
      EXPECT_NEAR(sum, 1.0, 1e-4);
      ++rows;
    }
  return h / static_cast<double>(std::max<int64_t>(rows, 1));
}

// Sparse soft attention (--normalizer sparsemax|entmax15) writes exact zeros over the cells and
// is kept by the checkpoint; the entropy regulariser sharpens the words' attention.
TEST(CaptionTask, SparseNormalizerAndEntropyRegulariser) {
  const auto scenes = data::make_scenes(data::ScenePool::test, 3, 8);
  std::vector<const data::Image*> images;
  for (const auto& sc : scenes) images.push_back(&sc.image);
  {
    const Settings s = scene_settings({{"normalizer", "sparsemax"}, {"hidden", "32"}, {"channels", "16"}});
    CaptionTask task(s, 6);
    run_training(task, quick_caption(s, 20));
    int64_t zeros = 0;
    mean_entropy(task.captioner().generate(images), &zeros);
    EXPECT_GT(zeros, 0);
    EXPECT_EQ(models::CaptionerConfig::from_json(task.captioner().config().to_json()).normalizer, "sparsemax");
  }
  double entropy[2];
  for (int with = 0; with < 2; ++with) {
    const Settings s = scene_settings({{"attention-entropy", with ? "1" : "0"}, {"hidden", "32"}, {"channels", "16"}});
    CaptionTask task(s, 6);
    run_training(task, quick_caption(s, 20));
    entropy[with] = mean_entropy(task.captioner().generate(images));
  }
  std::printf("20 steps: attention entropy %.3f -> %.3f nats with the regulariser\n", entropy[0], entropy[1]);
  EXPECT_LT(entropy[1], entropy[0] - 0.3);  // of at most ln 64 = 4.16
  EXPECT_THROW(CaptionTask(scene_settings({{"attention", "hard"}, {"normalizer", "sparsemax"}}), 1), ConfigError);
  EXPECT_THROW(CaptionTask(scene_settings({{"attention", "none"}, {"attention-entropy", "0.1"}}), 1), ConfigError);
}

// Location-aware attention: its features' weights learn, the checkpoint's config keeps it, and
// only soft and hard attention take it.
TEST(CaptionTask, LocationAwareAttentionLearnsAndIsKept) {
  const Settings s = scene_settings({{"location-aware", "1"}, {"hidden", "32"}, {"channels", "16"}});
  CaptionTask task(s, 8);
  const auto before = task.model().named_parameters();
  const auto it = std::find_if(before.begin(), before.end(), [](const auto& p) { return p.first == "location_in.weight"; });
  ASSERT_NE(it, before.end());
  const std::vector<float> w0 = it->second.clone().to_vector();
  run_training(task, quick_caption(s, 10));
  const std::vector<float> w1 = it->second.to_vector();
  double moved = 0;
  for (size_t i = 0; i < w0.size(); ++i) moved += std::abs(w1[i] - w0[i]);
  EXPECT_GT(moved, 1e-4);
  EXPECT_TRUE(models::CaptionerConfig::from_json(task.captioner().config().to_json()).location_aware);
  EXPECT_THROW(CaptionTask(scene_settings({{"attention", "adaptive"}, {"location-aware", "1"}}), 1), ConfigError);
}

// --keys pixels (soft, hard and adaptive attention): a cell's score reads only its own pixels.
// Repainting one cell then changes no other cell's score, so the first word's weights on the other
// cells all scale by one factor (the softmax's new total). With grid-feature keys (20 px of view)
// its neighbours' scores move too. The setting survives a checkpoint's config; configs written
// before it read as cells.
TEST(CaptionTask, PixelKeysScoreACellByItsOwnPixels) {
  const auto scenes = data::make_scenes(data::ScenePool::test, 6, 1);
  data::Image painted = scenes[0].image;
  const int64_t cell_x = 3, cell_y = 4, painted_cell = cell_y * 8 + cell_x;  // 4 px cells: an 8 x 8 grid
  for (int64_t y = cell_y * 4; y < cell_y * 4 + 4; ++y)
    for (int64_t x = cell_x * 4; x < cell_x * 4 + 4; ++x)
      for (int64_t ch = 0; ch < 3; ++ch) painted.pixels[static_cast<size_t>((y * painted.width + x) * 3 + ch)] = ch == 1 ? 250 : 30;
  for (const auto& [kind, keys] : std::vector<std::pair<std::string, std::string>>{
           {"soft", "pixels"}, {"hard", "pixels"}, {"adaptive", "pixels"}, {"soft", "cells"}}) {
    Settings s = scene_settings({{"attention", kind}, {"keys", keys}, {"hidden", "32"}, {"channels", "16"}});
    if (kind != "adaptive") s.set("location-aware", "1");
    CaptionTask task(s, 4);
    run_training(task, quick_caption(s, 5));
    models::Captioner& m = task.captioner();
    EXPECT_EQ(models::CaptionerConfig::from_json(m.config().to_json()).keys, keys);
    nn::EvalMode eval(m);
    autograd::NoGrad ng;
    const Tensor a = m.forward(m.make_batch({&scenes[0].image, &painted}, {scenes[0].words, scenes[0].words})).alpha;
    double lo = 1e30, hi = 0;
    for (int64_t k = 0; k < a.size(2); ++k) {
      if (k == painted_cell) continue;
      const double ratio = a.at({1, 0, k}) / a.at({0, 0, k});
      lo = std::min(lo, ratio), hi = std::max(hi, ratio);
    }
    std::printf("%s, keys %s: the other cells' weights scale by %.6f..%.6f\n", kind.c_str(), keys.c_str(), lo, hi);
    if (keys == "pixels") EXPECT_LT(hi / lo, 1.0 + 1e-4) << kind;
    else EXPECT_GT(hi / lo, 1.01) << kind;
  }
  EXPECT_EQ(models::CaptionerConfig::from_json(R"({"attention":"soft","image_side":32,"channels":8,"embed":4,"hidden":4,"attn_dim":4,"dropout":0,"max_words":5})").keys,
            "cells");
  EXPECT_THROW(CaptionTask(scene_settings({{"attention", "none"}, {"keys", "pixels"}}), 1), ConfigError);
  EXPECT_THROW(CaptionTask(scene_settings({{"keys", "edges"}}), 1), ConfigError);
}

// The settings left at "auto" on the scenes: soft and hard attention score each cell's own pixels
// with location features; adaptive attention keeps grid keys; none takes none of them; 3,000 steps.
// Given values win.
TEST(CaptionTask, SceneDefaultsFollowTheAttentionKind) {
  for (const char* kind : {"soft", "hard", "adaptive", "none"}) {
    CaptionTask task(scene_settings({{"attention", kind}, {"hidden", "16"}, {"channels", "8"}}), 1);
    const models::CaptionerConfig& c = task.captioner().config();
    const bool soft_or_hard = std::string(kind) == "soft" || std::string(kind) == "hard";
    EXPECT_EQ(c.keys, soft_or_hard ? "pixels" : "cells") << kind;
    EXPECT_EQ(c.location_aware, soft_or_hard) << kind;
    EXPECT_FALSE(c.feed_context) << kind;
    EXPECT_EQ(c.init_state, "zero") << kind;
  }
  EXPECT_EQ(caption_defaults(scene_settings({})).steps, 3000);
  CaptionTask given(scene_settings({{"keys", "cells"}, {"location-aware", "0"}, {"feed-context", "1"}, {"hidden", "16"}, {"channels", "8"}}), 1);
  EXPECT_EQ(given.captioner().config().keys, "cells");
  EXPECT_FALSE(given.captioner().config().location_aware);
  EXPECT_TRUE(given.captioner().config().feed_context);
  EXPECT_THROW(CaptionTask(scene_settings({{"attention", "none"}, {"keys", "cells"}}), 1), ConfigError);
  EXPECT_THROW(CaptionTask(scene_settings({{"attention", "none"}, {"feed-context", "0"}}), 1), ConfigError);
}

// The report's diversity line counts distinct captions and the distinct words they use.
TEST(CaptionEval, ReportCountsDistinctCaptionsAndWords) {
  models::CaptionEval e;
  e.n = 3;
  e.hypotheses = {"a red square", "a red square", "a big blue circle"};
  const std::vector<std::string> lines = models::caption_report(e);
  EXPECT_NE(std::find(lines.begin(), lines.end(), "diversity: distinct_captions=2/3 words_used=6"), lines.end());
  EXPECT_EQ(std::count_if(lines.begin(), lines.end(), [](const std::string& l) { return l.rfind("focus:", 0) == 0; }), 0);
  e.focus_entropy = 4.621, e.focus_uniform = std::log(256.0), e.focus_peak = 8.64;
  const std::vector<std::string> with = models::caption_report(e);
  EXPECT_NE(std::find(with.begin(), with.end(),
                      "focus: entropy=4.62 nats (uniform 5.55) peak=8.6x uniform (the captions' words, mean)"),
            with.end());
  e.focus_beta = 0.7126;
  EXPECT_EQ(models::caption_report(e).back(), "focus: entropy=4.62 nats (uniform 5.55) peak=8.6x uniform beta=0.713 (the captions' words, mean)");
}

// Where a look lands, on a scene drawn by hand: box A [6,14)^2 and B [20,30)^2 on 4 px cells.
TEST(CaptionEval, LooksAreClassifiedByCellAndBox) {
  data::Scene sc;
  sc.image.width = sc.image.height = 32;
  sc.objects = {{"square", "red", "small", {6, 6, 14, 14}}, {"circle", "blue", "big", {20, 20, 30, 30}}};
  sc.words = {"a", "small", "red", "square"};
  sc.word_object = {-1, 0, 0, 0};
  using models::Look;
  EXPECT_EQ(models::classify_look(sc, 3, 9, 8), Look::inside);         // [4,8)^2, centre (6,6)
  EXPECT_EQ(models::classify_look(sc, 3, 27, 8), Look::edge);          // [12,16)^2, centre (14,14) just out
  EXPECT_EQ(models::classify_look(sc, 3, 1, 8), Look::elsewhere);      // [4,8)x[0,4): touches no box
  EXPECT_EQ(models::classify_look(sc, 3, 54, 8), Look::other_object);  // [24,28)^2 inside B
  EXPECT_EQ(models::classify_look(sc, 3, 7, 8), Look::elsewhere);
  EXPECT_EQ(models::classify_look(sc, 0, 9, 8), Look::elsewhere);      // a function word names nothing
  // The same box on a 16 x 16 grid of 2 px cells: [12,14)^2 has its centre (13,13) inside.
  EXPECT_EQ(models::classify_look(sc, 3, 6 * 16 + 6, 16), Look::inside);
  EXPECT_EQ(models::classify_look(sc, 3, 7 * 16 + 7, 16), Look::elsewhere);  // [14,16)^2
}

// Box supervision (Liu et al. 2017) on a short run of a small model: the same seed and budget
// with and without it; with it, the attention lands in the named object's box more often, and
// the focus series' pointing (validation scenes) says so too.
TEST(CaptionTask, BoxSupervisionPullsAttentionOntoTheObject) {
  const auto scenes = data::make_scenes(data::ScenePool::test, 2, 64);
  double pointing[2], correctness[2], focus[2];
  for (int with = 0; with < 2; ++with) {
    const Settings s = scene_settings({{"hidden", "32"}, {"channels", "16"}, {"box-supervision", with ? "1" : "0"}});
    CaptionTask task(s, 5);
    const TrainResult r = run_training(task, quick_caption(s, slow_tests() ? 60 : 8));
    if (!slow_tests()) {  // the sanitizer build: the supervised loss runs and stays finite
      EXPECT_TRUE(std::isfinite(r.losses.back()));
      continue;
    }
    const auto e = models::evaluate_scenes(task.captioner(), scenes);
    pointing[with] = e.pointing;
    correctness[with] = e.correctness;
    nn::EvalMode eval_mode(task.model());
    focus[with] = task.focus_measures().at("pointing");
  }
  if (!slow_tests()) return;
  std::printf("60 steps: pointing %.3f -> %.3f, correctness %.3f -> %.3f with box supervision\n", pointing[0], pointing[1],
              correctness[0], correctness[1]);
  EXPECT_GT(pointing[1], 0.3);  // measured 0.47 (chance: about 0.1)
  EXPECT_GT(pointing[1], pointing[0] + 0.1);
  EXPECT_GT(correctness[1], correctness[0] + 0.1);
  EXPECT_GT(focus[1], focus[0]);
}

// Focus snapshots follow one fixed validation caption (teacher-forced: the same rows while the
// model's own captions change length), and the series records pointing at every snapshot.
TEST(CaptionTask, FocusSeriesRecordsPointing) {
  const Settings s = scene_settings({{"hidden", "32"}, {"channels", "16"}});
  CaptionTask task(s, 7);
  TrainerOptions o = quick_caption(s, 12);
  o.focus_every = 4;
  o.focus_output = (fs::temp_directory_path() / "attnscope_caption_focus.attn.safetensors").string();  // not the cwd
  const TrainResult r = run_training(task, o);
  EXPECT_TRUE(fs::exists(o.focus_output));
  fs::remove(o.focus_output);
  ASSERT_EQ(r.focus.snapshots.size(), 4u);  // steps 0, 4, 8, 12
  for (const auto& snap : r.focus.snapshots) EXPECT_EQ(snap.layers.at(0).queries, r.focus.snapshots[0].layers.at(0).queries);
  ASSERT_EQ(r.series.points.size(), 4u);
  for (const auto& p : r.series.points) {
    ASSERT_TRUE(p.values.count("pointing")) << p.step;
    EXPECT_GE(p.values.at("pointing"), 0.0);
    EXPECT_LE(p.values.at("pointing"), 1.0);
  }
}

// Hard attention reading the expected context (hard-mix): no sample, so no REINFORCE terms, and
// the gradient reaches the attention scorer through the blend.
TEST(CaptionTask, HardAttentionCanReadTheExpectedContext) {
  const Settings s = scene_settings({{"attention", "hard"}, {"hidden", "16"}, {"channels", "8"}});
  CaptionTask task(s, 6);
  models::Captioner& m = task.captioner();
  m.train();
  const auto scenes = data::make_scenes(data::ScenePool::test, 1, 3);
  const models::CaptionBatch b = m.make_batch({&scenes[0].image, &scenes[1].image, &scenes[2].image},
                                              {scenes[0].words, scenes[1].words, scenes[2].words});
  EXPECT_TRUE(m.forward(b).log_prob.defined());
  m.use_expected_location(true);
  const models::CaptionOutput out = m.forward(b);
  m.use_expected_location(false);
  EXPECT_FALSE(out.log_prob.defined());
  task.model().zero_grad();
  autograd::backward(ops::sum(out.logits));
  double g = 0;
  for (const auto& [name, p] : task.model().named_parameters())
    if (name.rfind("attention.", 0) == 0 && p.grad().defined())
      for (float v : p.grad().to_vector()) g += std::abs(v);
  EXPECT_GT(g, 0.0);
}

TEST(CaptionTask, RefusesSettingsThatDoNotApply) {
  EXPECT_THROW(CaptionTask(scene_settings({{"attention", "soft"}, {"entropy-bonus", "0.1"}}), 1), ConfigError);
  EXPECT_THROW(CaptionTask(scene_settings({{"attention", "none"}, {"coverage", "0.1"}}), 1), ConfigError);
  EXPECT_THROW(CaptionTask(scene_settings({{"attention", "soft"}, {"hard-mix", "0.5"}}), 1), ConfigError);
  EXPECT_THROW(CaptionTask(scene_settings({{"attention", "none"}, {"box-supervision", "1"}}), 1), ConfigError);
  EXPECT_THROW(CaptionTask(scene_settings({{"pool", "median"}}), 1), ConfigError);
  EXPECT_THROW(CaptionTask(scene_settings({{"attention", "none"}, {"init-state", "image"}}), 1), ConfigError);
}

// --init-state image (Xu et al.): the decoder starts from the image's mean feature through
// init_h/init_c, which then get a gradient; the setting survives a checkpoint. The default has no
// such layers (every image starts from zeros).
TEST(CaptionTask, InitStateFromTheImage) {
  const fs::path dir = fs::temp_directory_path() / "attnscope_caption_init_state";
  fs::create_directories(dir);
  for (const std::string init : {"zero", "image"}) {
    const Settings s = scene_settings({{"hidden", "32"}, {"channels", "16"}, {"init-state", init}});
    CaptionTask task(s, 5);
    TrainerOptions o = quick_caption(s, 5);
    o.output = (dir / (init + ".safetensors")).string();
    o.keep_best = false;
    run_training(task, o);
    auto m = models::Captioner::load(o.output);
    EXPECT_EQ(m->config().init_state, init);
    const auto params = m->named_parameters();
    const auto init_h = std::find_if(params.begin(), params.end(), [](const auto& p) { return p.first == "init_h.weight"; });
    ASSERT_EQ(init_h != params.end(), init == "image");
    if (init == "zero") continue;
    const auto scenes = data::make_scenes(data::ScenePool::test, 4, 2);
    const models::CaptionBatch b = m->make_batch({&scenes[0].image, &scenes[1].image}, {scenes[0].words, scenes[1].words});
    const Tensor logits = m->forward(b).logits;
    autograd::backward(ops::cross_entropy(ops::reshape(logits, Shape{b.B * b.T, logits.size(2)}), b.targets));
    double g = 0;
    for (float v : init_h->second.grad().to_vector()) g += std::abs(v);
    EXPECT_GT(g, 0.0);
  }
  fs::remove_all(dir);
}

// The concept detector (--concepts): its loss is binary cross-entropy with logits against the
// bag of the image's words (specials ignored), its gradient matches finite differences, and a
// short training run makes it tell held-out scenes' words better than it did untrained.
TEST(CaptionTask, ConceptDetectorLearnsWhichWordsAnImageUses) {
  const std::vector<double> row0 = {0.5, -1, 2, 0.3, 1.5, -2}, row1 = {0, 0, 0, 0, -0.7, 3};
  std::vector<double> flat = row0;
  flat.insert(flat.end(), row1.begin(), row1.end());
  const Tensor scores = Tensor::from(std::span<const double>(flat), Shape{2, 6});
  const std::vector<std::vector<int64_t>> bags = {{4}, {5, 1}};  // id 1 (<unk>) is not a word
  const auto sp = [](double x) { return std::log1p(std::exp(x)); };
  double want = 0;
  for (int64_t v = 4; v < 6; ++v) want += sp(row0[v]) + sp(row1[v]);
  want -= row0[4] + row1[5];
  EXPECT_NEAR(models::concept_loss(scores, bags).item(), want / 2, 1e-9);
  EXPECT_THROW(models::concept_loss(scores, {{4}}), ValueError);
  Rng rng(3);
  const Tensor x = Tensor::randn(Shape{3, 7}, rng, 3.0, DType::f64).requires_grad_(true);
  const auto r = autograd::gradcheck([](const std::vector<Tensor>& in) { return models::concept_loss(in[0], {{4, 6}, {}, {5}}); }, {x});
  EXPECT_TRUE(r.ok) << r.detail;

  const Settings s = scene_settings({{"hidden", "32"}, {"channels", "16"}, {"concepts", "1"}});
  CaptionTask task(s, 2);
  models::Captioner& m = task.captioner();
  EXPECT_TRUE(models::CaptionerConfig::from_json(m.config().to_json()).concepts);
  const auto scenes = data::make_scenes(data::ScenePool::test, 9, 16);
  std::vector<const data::Image*> images;
  std::vector<std::vector<std::string>> words;
  std::vector<std::vector<int64_t>> held_out_bags;
  for (const auto& sc : scenes) {
    images.push_back(&sc.image);
    words.push_back(sc.words);
    held_out_bags.push_back(m.vocab().encode(sc.words));
  }
  const auto held_out_loss = [&] {
    nn::EvalMode eval(m);
    autograd::NoGrad ng;
    models::CaptionBatch b = m.make_batch(images, words);
    b.bags = held_out_bags;
    return m.forward(b).concepts.item();
  };
  const double before = held_out_loss();
  run_training(task, quick_caption(s, 40));
  const double after = held_out_loss();
  std::printf("concept loss on 16 held-out scenes: %.3f untrained, %.3f after 40 steps\n", before, after);
  EXPECT_LT(after, 0.7 * before);
  // Without the setting there is no detector and no loss.
  CaptionTask plain(scene_settings({{"hidden", "32"}, {"channels", "16"}}), 2);
  models::CaptionBatch b = plain.captioner().make_batch(images, words);
  b.bags = held_out_bags;
  EXPECT_FALSE(plain.captioner().forward(b).concepts.defined());
  EXPECT_FALSE(models::CaptionerConfig::from_json(R"({"attention":"soft","image_side":32,"channels":8,"embed":4,"hidden":4,"attn_dim":4,"dropout":0,"max_words":5})").concepts);
}

}  // namespace
}  // namespace attnscope::train
