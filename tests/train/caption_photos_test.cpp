// The caption task on captioned photos (a folder the test writes: PNG and JPEG squares, a
// Flickr8k-style CSV and a COCO-style JSON): it reads, splits by image, builds the vocabulary from
// the training captions, trains with the loss falling, evaluates held-out images against all
// their references with pointing n/a; `eval caption --data` sees the same split; bad folders are
// refused before training.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "../data/caption_fixture.h"
#include "attnscope/core/error.h"
#include "attnscope/models/caption/evaluate.h"
#include "attnscope/train/tasks/caption_task.h"
#include "attnscope/train/trainer.h"

namespace attnscope::train {
namespace {

namespace fs = std::filesystem;

Settings photo_settings(const std::map<std::string, std::string>& kv, std::vector<SettingSpec> specs = caption_settings()) {
  Settings s(std::move(specs));
  for (const auto& [k, v] : kv) s.set(k, v);
  return s;
}

const std::map<std::string, std::string> kSmall = {{"hidden", "32"}, {"channels", "16"}, {"embed", "16"}, {"image-side", "16"},
                                                   {"min-count", "2"}};

TEST(CaptionPhotos, TrainsOnAFolderAndEvaluatesHeldOutImages) {
  const fs::path dir = fs::temp_directory_path() / "attnscope_caption_photos";
  caption_fixture::make_folder(dir, 30);
  auto kv = kSmall;
  kv["data"] = dir.string();
  const Settings s = photo_settings(kv);
  CaptionTask task(s, 1);
  const auto& vocab = task.captioner().vocab();
  EXPECT_TRUE(vocab.contains("square"));
  EXPECT_TRUE(vocab.contains("green"));
  EXPECT_FALSE(vocab.contains("\"green\""));  // quotes are not words
  EXPECT_EQ(task.captioner().config().image_side, 16);
  // Photos' defaults: Xu et al.'s decoder (from the image, the context fed back), grid keys, 1,500 steps.
  EXPECT_EQ(task.captioner().config().init_state, "image");
  EXPECT_TRUE(task.captioner().config().feed_context);
  EXPECT_EQ(task.captioner().config().keys, "cells");
  EXPECT_FALSE(task.captioner().config().location_aware);
  EXPECT_EQ(caption_defaults(s).steps, 1500);
  TrainerOptions o = caption_defaults(s);
  o.steps = 60;
  o.eval_every = 60;
  o.warmup = 10;
  o.batch = 16;
  o.quiet = true;
  o.output = (dir / "m.safetensors").string();
  o.keep_best = false;
  const TrainResult r = run_training(task, o);
  double first = 0, last = 0;
  for (int i = 0; i < 10; ++i) first += r.losses[i], last += r.losses[r.losses.size() - 1 - i];
  EXPECT_LT(last, 0.6 * first);
  // 30 images: 3 held out for the test; every reference counts, no boxes.
  const EvalReport rep = task.evaluate();
  ASSERT_FALSE(rep.lines.empty());
  EXPECT_NE(rep.lines[0].find("pointing=n/a n=3"), std::string::npos) << rep.lines[0];
  // The checkpoint on the same split (same default split seed): the same figures.
  Settings es = photo_settings({{"data", dir.string()}}, caption_eval_settings());
  const EvalReport again = evaluate_caption_checkpoint(o.output, es, 1);
  EXPECT_EQ(again.lines[0], rep.lines[0]);
  es.set("beam", "3");
  const EvalReport beam = evaluate_caption_checkpoint(o.output, es, 1);
  EXPECT_NE(beam.lines[0].find("pointing=n/a n=3"), std::string::npos) << beam.lines[0];
  // The validation images instead (3 others): other figures, the same count.
  es.set("beam", "1");
  es.set("split", "valid");
  const EvalReport valid = evaluate_caption_checkpoint(o.output, es, 1);
  EXPECT_NE(valid.lines[0].find("pointing=n/a n=3"), std::string::npos) << valid.lines[0];
  EXPECT_NE(valid.lines, rep.lines);
  EXPECT_NE(std::find_if(valid.lines.begin(), valid.lines.end(),
                         [](const std::string& l) { return l.rfind("diversity: distinct_captions=", 0) == 0 && l.find("/3 words_used=") != std::string::npos; }),
            valid.lines.end());
  // Every image (a test set of one's own): all 30, and two images are enough (no split needed).
  es.set("split", "all");
  const EvalReport all = evaluate_caption_checkpoint(o.output, es, 1);
  EXPECT_NE(all.lines[0].find("pointing=n/a n=30"), std::string::npos) << all.lines[0];
  const fs::path two = fs::temp_directory_path() / "attnscope_caption_photos_two";
  Settings ts = photo_settings({{"data", caption_fixture::make_folder(two, 2)}}, caption_eval_settings());
  ts.set("split", "all");
  EXPECT_NE(evaluate_caption_checkpoint(o.output, ts, 1).lines[0].find("pointing=n/a n=2"), std::string::npos);
  ts.set("split-seed", "3");
  EXPECT_THROW(evaluate_caption_checkpoint(o.output, ts, 1), ConfigError);
  fs::remove_all(two);
  // COCO-style JSON trains too.
  const fs::path jdir = fs::temp_directory_path() / "attnscope_caption_photos_json";
  kv["data"] = caption_fixture::make_folder(jdir, 6, true);
  CaptionTask json_task(photo_settings(kv), 2);
  EXPECT_TRUE(json_task.captioner().vocab().contains("side"));
  fs::remove_all(dir);
  fs::remove_all(jdir);
}

TEST(CaptionPhotos, BadFoldersAreRefusedBeforeTraining) {
  const fs::path dir = fs::temp_directory_path() / "attnscope_caption_photos_bad";
  const std::string csv = caption_fixture::make_folder(dir, 6);
  auto kv = kSmall;
  kv["data"] = csv;
  const auto error_of = [&] {
    try {
      CaptionTask(photo_settings(kv), 1);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  // A truncated JPEG among the images.
  const std::string jpeg = caption_fixture::jpeg_bytes(caption_fixture::square_pixels(40, 0, true), 40, 40);
  caption_fixture::write(dir / "images" / "img1.jpg", jpeg.substr(0, jpeg.size() / 2));
  EXPECT_NE(error_of().find("img1.jpg"), std::string::npos) << error_of();
  // A PNG declaring 100000 x 100000 pixels.
  std::string png = "\x89PNG\r\n\x1a\n";
  png += std::string("\0\0\0\x0dIHDR", 8);
  png += std::string("\x00\x01\x86\xa0\x00\x01\x86\xa0", 8);
  png += std::string("\x08\x02\x00\x00\x00", 5);
  png += std::string(4, '\0');
  caption_fixture::write(dir / "images" / "img1.jpg", jpeg);
  caption_fixture::write(dir / "images" / "img2.png", png);
  EXPECT_NE(error_of().find("img2.png"), std::string::npos) << error_of();
  // A caption naming a text file in a folder of mixed files.
  caption_fixture::make_folder(dir, 6);
  caption_fixture::write(dir / "images" / "notes.txt", "not an image");
  caption_fixture::write(dir / "captions.csv", "image,caption\nimg0.png,a red square\nnotes.txt,a note\nimg2.png,a blue one\nimg3.jpg,a red one\n");
  EXPECT_NE(error_of().find("notes.txt"), std::string::npos) << error_of();
  // Settings that belong to the other data.
  EXPECT_THROW(CaptionTask(photo_settings({{"data", csv}, {"builtin", "scenes"}}), 1), ConfigError);
  EXPECT_THROW(CaptionTask(photo_settings({{"min-count", "2"}}), 1), ConfigError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace attnscope::train
