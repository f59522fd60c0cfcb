// The caption verbs through the binary: train on the built-in scenes, `eval caption` prints the
// contract line, `caption` prints a caption and writes the overlay strip, the animation and the
// trace; bad input (truncated JPEG, a PNG declaring a huge size, another model's checkpoint) gives
// one line, a non-zero exit and no file.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>

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
  expect_error("caption --model m.safetensors", 2, "either an image file or --scene");
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

}  // namespace
