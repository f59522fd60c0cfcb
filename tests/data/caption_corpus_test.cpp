// Caption files on disk: a Flickr8k-style CSV and a COCO-style JSON over a generated folder of
// PNG and JPEG images; a folder holding several caption files; the split by image; bad files are
// one error naming the file and the line; the real Flickr8k subset when ../shared has it.
#include <gtest/gtest.h>

#include <set>

#include "attnscope/core/error.h"
#include "attnscope/data/caption_corpus.h"
#include "attnscope/data/image.h"
#include "caption_fixture.h"
#include "shared_data.h"

namespace attnscope::data {
namespace {

namespace fs = std::filesystem;

fs::path temp(const char* name) { return fs::temp_directory_path() / (std::string("attnscope_captions_") + name); }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(CaptionCorpus, WordsAreLowerCasedWithoutPunctuation) {
  EXPECT_EQ(caption_words("A dog's ball , \"red\" - on the shore ."),
            (std::vector<std::string>{"a", "dog's", "ball", "red", "on", "the", "shore"}));
  EXPECT_TRUE(caption_words(" . , ").empty());
}

TEST(CaptionCorpus, ReadsCsvAndJsonAndFindsTheImageFolder) {
  const fs::path dir = temp("read");
  const std::string csv = caption_fixture::make_folder(dir, 6);
  const CaptionCorpus c = read_caption_corpus(csv);
  ASSERT_EQ(c.images.size(), 6u);
  EXPECT_EQ(c.images[1].name, "img1.jpg");
  EXPECT_EQ(c.images[1].path, (dir / "images" / "img1.jpg").string());
  ASSERT_EQ(c.images[1].captions.size(), 5u);
  EXPECT_EQ(c.images[1].captions[1], (std::vector<std::string>{"a", "green", "square", "on", "the", "left"}));  // was quoted
  EXPECT_EQ(c.images[1].captions[4], (std::vector<std::string>{"a", "green", "square"}));
  // The folder instead of the file: the one caption file in it.
  EXPECT_EQ(read_caption_corpus(dir.string()).source, csv);
  // COCO-style JSON.
  const fs::path jdir = temp("json");
  const CaptionCorpus j = read_caption_corpus(caption_fixture::make_folder(jdir, 4, true));
  ASSERT_EQ(j.images.size(), 4u);
  EXPECT_EQ(j.images[2].captions.size(), 5u);
  EXPECT_EQ(j.images[2].captions[0], (std::vector<std::string>{"a", "blue", "square", "on", "the", "left"}));
  // A second caption file naming images that are not there (Flickr8k's full list): skipped;
  // two usable ones: name one.
  caption_fixture::write(dir / "all_captions.txt", "image,caption\nimg0.png,a red square\nmissing.jpg,a cat\n");
  EXPECT_EQ(read_caption_corpus(dir.string()).source, csv);
  caption_fixture::write(dir / "few.txt", "image,caption\nimg0.png,a red square\n");
  EXPECT_NE(error_of([&] { read_caption_corpus(dir.string()); }).find("several usable caption files (captions.csv, few.txt)"),
            std::string::npos);
  fs::remove_all(dir);
  fs::remove_all(jdir);
}

TEST(CaptionCorpus, BadFilesAreOneClearError) {
  const fs::path dir = temp("bad");
  caption_fixture::make_folder(dir, 3);
  const auto bad = [&](const std::string& text, const char* file = "c.csv") {
    caption_fixture::write(dir / file, text);
    return error_of([&] { read_caption_corpus((dir / file).string()); });
  };
  EXPECT_EQ(bad("image,caption\nimg0.png,\"open\n"), (dir / "c.csv").string() + ":2: not valid CSV: a quoted field is never closed");
  EXPECT_NE(bad("image,caption\nimg0.png,a red square\nimg1.jpg\n").find("c.csv:3: expected image,caption, got 1 field"),
            std::string::npos);
  EXPECT_NE(bad("image,caption\n,a red square\n").find("c.csv:2: no image name"), std::string::npos);
  EXPECT_NE(bad("image,caption\nimg0.png, . \n").find("c.csv:2: the caption of 'img0.png' has no words"), std::string::npos);
  EXPECT_NE(bad("image,caption\n../x.png,a cat\n").find("leaves the data folder"), std::string::npos);
  EXPECT_NE(bad("image,caption\nimg0.png,a\nnope.jpg,b\ngone.png,c\n").find("2 of its 3 images are in no one folder beside it (first missing: 'nope.jpg')"),
            std::string::npos);
  EXPECT_NE(bad("image,caption\n").find("holds no captions"), std::string::npos);
  EXPECT_NE(bad("{\"images\": [{\"id\": 1, \"file_name\": \"img0.png\"}], \"annotations\": [{\"image_id\": 2, \"caption\": \"x\"}]}", "c.json")
                .find("annotations[0]: image_id 2 is not in \"images\""),
            std::string::npos);
  EXPECT_NE(bad("{\"images\": [", "c.json").find("not valid JSON"), std::string::npos);
  EXPECT_NE(bad("[1, 2]", "c.json").find("expected COCO captions"), std::string::npos);
  EXPECT_NE(error_of([&] { read_caption_corpus((dir / "none").string()); }).find("not found"), std::string::npos);
  fs::remove_all(dir);
}

// The datasets as first published: Flickr8k.token.txt ("IMAGE#N<tab>caption") and Flickr30k's
// Kaggle results.csv ("image_name| comment_number| comment"); CRLF line ends and blank lines are
// fine, a line without its separator is one error naming the line.
TEST(CaptionCorpus, ReadsFlickrTokenAndPipeFiles) {
  const fs::path dir = temp("token");
  caption_fixture::make_folder(dir, 3);
  fs::remove(dir / "captions.csv");  // only the files below
  caption_fixture::write(dir / "Flickr8k.token.txt",
                         "img0.png#0\tA red square , on the left .\r\nimg0.png#1\tred box\r\n\nimg1.jpg#0\tA green one #1 .\r\n");
  CaptionCorpus c = read_caption_corpus(dir.string());
  ASSERT_EQ(c.images.size(), 2u);
  EXPECT_EQ(c.images[0].name, "img0.png");
  EXPECT_EQ(c.images[0].path, (dir / "images" / "img0.png").string());
  EXPECT_EQ(c.images[0].captions, (std::vector<std::vector<std::string>>{{"a", "red", "square", "on", "the", "left"}, {"red", "box"}}));
  EXPECT_EQ(c.images[1].captions.front(), (std::vector<std::string>{"a", "green", "one", "1"}));
  fs::remove(dir / "Flickr8k.token.txt");
  caption_fixture::write(dir / "results.csv",
                         "image_name| comment_number| comment\nimg2.png| 0| A blue square, left|ish .\nimg0.png| 1| a red one\n");
  c = read_caption_corpus((dir / "results.csv").string());
  ASSERT_EQ(c.images.size(), 2u);
  EXPECT_EQ(c.images[0].name, "img2.png");
  EXPECT_EQ(c.images[0].captions.front(), (std::vector<std::string>{"a", "blue", "square", "left", "ish"}));
  // A UTF-8 BOM (as Excel writes CSV) is not part of the header or the first name.
  EXPECT_EQ(parse_caption_text("\xEF\xBB\xBFimage,caption\nimg0.png,a red one\n", "b.csv", false).images.front().name, "img0.png");
  EXPECT_EQ(parse_caption_text("\xEF\xBB\xBFimg0.png#0\ta red one\n", "b.txt", false).images.front().name, "img0.png");
  // A name with '#' but no number after it keeps it; a line without a tab is an error.
  EXPECT_EQ(parse_caption_text("a#b.png\tx\n", "t.txt", false).images.front().name, "a#b.png");
  EXPECT_NE(error_of([&] { parse_caption_text("img0.png#0\ta\nimg1.jpg a cat\n", "t.txt", false); })
                .find("t.txt:2: expected IMAGE<tab>caption"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_caption_text("img0.png#0\t . \n", "t.txt", false); }).find("t.txt:1: the caption of 'img0.png' has no words"),
            std::string::npos);
  fs::remove_all(dir);
}

// libjpeg pads a JPEG that ends early with grey rows and warns; a cut-off photo is an error.
TEST(CaptionCorpus, AJpegCutInHalfIsAnError) {
  const std::string jpeg = caption_fixture::jpeg_bytes(caption_fixture::square_pixels(64, 2, false), 64, 64);
  EXPECT_EQ(decode_image(jpeg, "whole.jpg").width, 64);
  try {
    decode_image(jpeg.substr(0, jpeg.size() / 2), "half.jpg");
    ADD_FAILURE() << "a truncated JPEG decoded";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("half.jpg"), std::string::npos) << e.what();
  }
}

TEST(CaptionCorpus, SplitIsByImageSeededAndDisjoint) {
  CaptionCorpus c;
  for (int i = 0; i < 50; ++i) c.images.push_back({"i" + std::to_string(i), "", {{"a"}, {"b"}}});
  const CaptionSplit s = split_caption_corpus(c, 7), again = split_caption_corpus(c, 7), other = split_caption_corpus(c, 8);
  EXPECT_EQ(s.test.size(), 5u);
  EXPECT_EQ(s.valid.size(), 5u);
  EXPECT_EQ(s.train.size(), 40u);
  std::set<std::string> seen;
  for (const auto* part : {&s.train, &s.valid, &s.test})
    for (const auto& im : *part) {
      EXPECT_TRUE(seen.insert(im.name).second) << im.name;
      EXPECT_EQ(im.captions.size(), 2u);
    }
  EXPECT_EQ(seen.size(), 50u);
  EXPECT_EQ(s.test.front().name, again.test.front().name);
  std::vector<std::string> a, b;
  for (const auto& im : s.test) a.push_back(im.name);
  for (const auto& im : other.test) b.push_back(im.name);
  EXPECT_NE(a, b);
}

TEST(CaptionCorpus, Flickr8kSubsetWhenPresent) {
  const std::string dir = attnscope::testing::shared_data_dir() + "/flickr8k_subset";
  if (!fs::exists(dir)) GTEST_SKIP() << "../shared/data/flickr8k_subset absent: the real-photo reader is not checked";
  const CaptionCorpus c = read_caption_corpus(dir);
  EXPECT_EQ(fs::path(c.source).filename(), "captions_subset1000.txt");
  ASSERT_EQ(c.images.size(), 1000u);
  for (const auto& im : c.images) EXPECT_EQ(im.captions.size(), 5u) << im.name;
  EXPECT_EQ(c.images.front().captions.front().front(), "a");
}

}  // namespace
}  // namespace attnscope::data
