// The caption verbs through the binary: train on the built-in scenes, `eval caption` prints the
// contract line, `caption` prints a caption and writes the overlay strip, the animation and the
// trace; bad input (truncated JPEG, a PNG declaring a huge size, another model's checkpoint) gives
// one line, a non-zero exit and no file.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "../data/caption_fixture.h"
#include "cli_fixture.h"

namespace {

using namespace cli_test;

class CaptionCommands : public CliTest {
 protected:
  void SetUp() override { make_dir("caption_", "ATTNSCOPE_THREADS=1"); }
  void write(const std::string& name, const std::string& bytes) const { std::ofstream(dir_ / name, std::ios::binary) << bytes; }
};

const char* kTrain = "train caption --builtin scenes --steps 6 --hidden 16 --channels 8 --embed 8 -q";

TEST_F(CaptionCommands, TrainEvalCaption) {
  CmdResult r = run(std::string(kTrain) + " --attention adaptive -o m.safetensors");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("caption: bleu4=\\d+\\.\\d cider=\\d+\\.\\d\\d pointing=\\d+\\.\\d% n=500\n"))) << r.out;

  r = run("eval caption --model m.safetensors --builtin scenes --seed 4 --scenes 20");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("^caption: bleu4=\\d+\\.\\d cider=\\d+\\.\\d\\d pointing=\\d+\\.\\d% n=20\n"))) << r.out;
  EXPECT_NE(r.out.find("attention: correctness="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sentinel: beta object_words="), std::string::npos) << r.out;
  // Robustness: the usual lines, then one with the focus shift onto the perturbed pixels.
  r = run("eval caption --model m.safetensors --builtin scenes --seed 4 --scenes 20 --perturb distractors:0.4");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\nperturb: distractors:0.4 bleu4="), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("focus_shift=\\d+\\.\\d% chance=\\d+\\.\\d% n=20"))) << r.out;
  expect_error("eval caption --model m.safetensors --builtin scenes --perturb typos", 2, "distractors, occlusion or noise");

  r = run("caption --model m.safetensors --scene 2 --seed 4 --png s.png --gif s.gif --trace s.attn.safetensors");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\nbeta: "), std::string::npos) << r.out;
  for (const char* f : {"s.png", "s.gif", "s.attn.safetensors"}) EXPECT_GT(fs::file_size(dir_ / f), 100u) << f;
  EXPECT_EQ(slurp(dir_ / "s.png").substr(1, 3), "PNG");
  // An image file: the strip just written is a PNG like any other.
  r = run("caption --model m.safetensors s.png");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(r.out.empty());
  r = run("inspect s.attn.safetensors");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("decoder.cross"), std::string::npos) << r.out;
  // The animation as MP4 (ffmpeg; `make test` installs it); the flag names its format.
  expect_error("caption --model m.safetensors --scene 2 --mp4 s2.gif", 2, "--mp4");
  EXPECT_FALSE(fs::exists(dir_ / "s2.gif"));
  if (std::system("command -v ffmpeg >/dev/null 2>&1") != 0) GTEST_SKIP() << "ffmpeg not installed: MP4 not written";
  r = run("caption --model m.safetensors --scene 2 --seed 4 --mp4 s.mp4");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(slurp(dir_ / "s.mp4").substr(4, 4), "ftyp");
}

TEST_F(CaptionCommands, BadInputIsOneLineAndNoOutput) {
  ASSERT_EQ(run(std::string(kTrain) + " -o m.safetensors").code, 0);
  write("cut.jpg", std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00", 14));
  expect_error("caption --model m.safetensors cut.jpg --png a.png --trace a.attn.safetensors", 1, "cannot decode JPEG");
  std::string png = "\x89PNG\r\n\x1a\n";
  png += std::string("\0\0\0\x0dIHDR", 8);
  png += std::string("\x00\x01\x86\xa0\x00\x01\x86\xa0", 8);
  png += std::string("\x08\x02\x00\x00\x00", 5);
  png += std::string(4, '\0');
  write("huge.png", png);
  const CmdResult r = run("caption --model m.safetensors huge.png --png a.png");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  expect_error("caption --model m.safetensors --scene 1 --png a.svg", 2, "--png 'a.svg': expected NAME.png");
  expect_error("caption --model m.safetensors", 2, "either image files or --scene");
  EXPECT_FALSE(fs::exists(dir_ / "a.png"));
  EXPECT_FALSE(fs::exists(dir_ / "a.attn.safetensors"));
  // Without attention there is nothing to draw.
  ASSERT_EQ(run(std::string(kTrain) + " --attention none -o n.safetensors").code, 0);
  expect_error("caption --model n.safetensors --scene 1 --png a.png", 2, "has no attention to draw");
  EXPECT_FALSE(fs::exists(dir_ / "a.png"));
  // A caption checkpoint is not a translator, nor a translator a captioner.
  expect_error("translate --model m.safetensors hello", 1, "not a translation model");
  ASSERT_EQ(run("train translate --builtin dates --steps 2 --hidden 8 --embed 8 -q -o t.safetensors").code, 0);
  expect_error("caption --model t.safetensors --scene 1", 1, "not an image captioner");
  expect_error("eval caption --model t.safetensors --builtin scenes", 1, "not an image captioner");
}

// Captioned photos (a folder of PNG and JPEG squares with a Flickr8k-style CSV): train, eval on
// the held-out images with pointing n/a, caption one with beam search; bad folders are one line,
// exit 1 and no checkpoint.
TEST_F(CaptionCommands, PhotosTrainEvalAndBadFolders) {
  caption_fixture::make_folder(dir_ / "photos", 20);
  const std::string small = " --steps 4 --hidden 16 --channels 8 --embed 8 --image-side 16 --min-count 1 -q";
  CmdResult r = run("train caption --data photos" + small + " -o p.safetensors");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("caption: bleu4=\\d+\\.\\d cider=\\d+\\.\\d\\d pointing=n/a n=2\n"))) << r.out;
  r = run("eval caption --model p.safetensors --data photos/captions.csv --beam 2");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("^caption: bleu4=\\d+\\.\\d cider=\\d+\\.\\d\\d pointing=n/a n=2\n"))) << r.out;
  r = run("caption --model p.safetensors photos/images/img3.jpg --beam 3 --png b.png --trace b.attn.safetensors");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(slurp(dir_ / "b.png").substr(1, 3), "PNG");
  // Several images: one "IMAGE<tab>caption" line each, in order, across batches (40 > 32), each
  // the caption the image gets alone.
  std::string many, want;
  for (int k = 0; k < 40; ++k) {
    const std::string img = "photos/images/img" + std::to_string(k % 20) + (k % 2 ? ".jpg" : ".png");
    many += " " + img;
    if (k == 3 || k == 24) {
      r = run("caption --model p.safetensors " + img);
      ASSERT_EQ(r.code, 0) << r.err;
      want += img + "\t" + r.out;
    }
  }
  r = run("caption --model p.safetensors" + many);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 40) << r.out;
  std::istringstream lines(r.out);
  std::string got;
  for (int k = 0; std::getline(lines, got); ++k) {
    const std::string img = "photos/images/img" + std::to_string(k % 20) + (k % 2 ? ".jpg" : ".png");
    EXPECT_EQ(got.rfind(img + "\t", 0), 0u) << got;
    if (k == 3 || k == 24) {
      EXPECT_NE(want.find(got + "\n"), std::string::npos) << got << " not in\n" << want;
    }
  }
  // A folder: its images, sorted by name (other files skipped); an empty folder is one line.
  expect_error("caption --model p.safetensors photos", 1, "folder 'photos' holds no .jpg, .jpeg or .png image");
  r = run("caption --model p.safetensors photos/images");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 20) << r.out;
  EXPECT_EQ(r.out.rfind("photos/images/img0.png\t", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\nphotos/images/img1.jpg\t"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nphotos/images/img10.png\t"), std::string::npos) << r.out;
  expect_error("caption --model p.safetensors photos/images --trace f.attn.safetensors", 2, "exactly one image");
  expect_error("caption --model p.safetensors photos/images/img1.jpg photos/images/img2.png --png m.png", 2, "exactly one image");
  expect_error("caption --model p.safetensors photos/images/img1.jpg photos/images/nothere.png", 1, "nothere.png");
  EXPECT_FALSE(fs::exists(dir_ / "m.png"));
  expect_error("eval caption --model p.safetensors --data photos --split-seed 2 --builtin scenes", 2, "not both");
  expect_error("eval caption --model p.safetensors --split valid", 2, "captioned photos only");
  expect_error("translate --model p.safetensors hello", 1, "not a translation model");
  // A truncated JPEG, a PNG declaring 100000 x 100000 px, a caption naming a text file, a
  // missing image, a row without its caption: one line each, and no checkpoint.
  const std::string jpeg = caption_fixture::jpeg_bytes(caption_fixture::square_pixels(40, 0, true), 40, 40);
  caption_fixture::write(dir_ / "photos" / "images" / "img1.jpg", jpeg.substr(0, jpeg.size() / 2));
  expect_error("train caption --data photos" + small + " -o bad.safetensors", 1, "img1.jpg");
  caption_fixture::write(dir_ / "photos" / "images" / "img1.jpg", jpeg);
  std::string png = "\x89PNG\r\n\x1a\n";
  png += std::string("\0\0\0\x0dIHDR", 8);
  png += std::string("\x00\x01\x86\xa0\x00\x01\x86\xa0", 8);
  png += std::string("\x08\x02\x00\x00\x00", 5);
  png += std::string(4, '\0');
  caption_fixture::write(dir_ / "photos" / "images" / "img2.png", png);
  expect_error("train caption --data photos" + small + " -o bad.safetensors", 1, "img2.png");
  caption_fixture::make_folder(dir_ / "photos", 6);
  caption_fixture::write(dir_ / "photos" / "images" / "readme.txt", "not an image");
  caption_fixture::write(dir_ / "photos" / "captions.csv",
                         "image,caption\nimg0.png,a red square\nreadme.txt,a note\nimg2.png,a blue one\nimg3.jpg,a red one\n");
  expect_error("train caption --data photos/captions.csv" + small + " -o bad.safetensors", 1, "readme.txt");
  caption_fixture::write(dir_ / "photos" / "captions.csv", "image,caption\nimg0.png,a red square\ngone.jpg,a cat\nimg2.png,a b\n");
  expect_error("train caption --data photos/captions.csv" + small + " -o bad.safetensors", 1, "first missing: 'gone.jpg'");
  caption_fixture::write(dir_ / "photos" / "captions.csv", "image,caption\nimg0.png,a red square\nimg2.png\n");
  expect_error("train caption --data photos/captions.csv" + small + " -o bad.safetensors", 1, "captions.csv:3: expected image,caption");
  EXPECT_FALSE(fs::exists(dir_ / "bad.safetensors"));
}

}  // namespace
