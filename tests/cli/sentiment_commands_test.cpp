// The sentiment verbs through the binary: train on a labelled file, `eval sentiment` prints the
// line checks read, `classify` prints the label and the words with their weights and writes
// the pictures; bad input gives one line, a non-zero exit (2: a bad request, 1: bad data) and no file.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>

#include "cli_fixture.h"

namespace {

using namespace cli_test;

class SentimentCommands : public CliTest {
 protected:
  void SetUp() override { make_dir("sentiment_", "ATTNSCOPE_THREADS=1"); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir_ / name) << text; }
};

const char* kTrainReviews = "train sentiment --builtin reviews --steps 40 --hidden 16 --embed 16 -q";

TEST_F(SentimentCommands, TrainEvalClassify) {
  CmdResult r = run(std::string(kTrainReviews) + " -o m.safetensors");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("sentiment: accuracy=\\d+\\.\\d% n=1000\n"))) << r.out;

  r = run("eval sentiment --model m.safetensors --builtin reviews");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("^sentiment: accuracy=\\d+\\.\\d% n=1000\n"))) << r.out;
  EXPECT_NE(r.out.find("macro-F1: "), std::string::npos);
  EXPECT_NE(r.out.find("confusion (rows gold"), std::string::npos);

  // A flag setting (it crashed once: CLI11 bound the help text as the flag's variable).
  r = run("eval sentiment --model m.safetensors --builtin reviews --faithfulness --erase 2");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("faithfulness: tau_loo=-?\\d\\.\\d{3} tau_gradxinput=-?\\d\\.\\d{3} sentences=\\d+\n"))) << r.out;
  EXPECT_NE(r.out.find("  k random words: "), std::string::npos) << r.out;

  // A labelled file of another format (CSV with a header, word labels).
  write("t.csv", "text,label\n\"the plot was great, really\",positive\nawful .,negative\n");
  r = run("eval sentiment --model m.safetensors --data t.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("sentiment: accuracy="), std::string::npos);
  EXPECT_NE(r.out.find(" n=2\n"), std::string::npos) << r.out;

  // classify: label, probability, each word with its weight (not a terminal: plain).
  r = run("classify --model m.safetensors \"The film wasn't dull.\" --png s.png --svg s.svg --trace s.attn.safetensors --html s.html");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("^(positive|negative) [01]\\.\\d{3}  the\\[\\d\\.\\d\\d\\] film\\[\\d\\.\\d\\d\\] was\\[\\d\\.\\d\\d\\] n't\\[\\d\\.\\d\\d\\] dull\\[\\d\\.\\d\\d\\] \\.\\[\\d\\.\\d\\d\\]\n")))
      << r.out;
  for (const char* f : {"s.png", "s.svg", "s.attn.safetensors", "s.html"}) EXPECT_GT(fs::file_size(dir_ / f), 100u) << f;
  EXPECT_EQ(slurp(dir_ / "s.png").substr(1, 3), "PNG");
  EXPECT_NE(slurp(dir_ / "s.svg").find("<svg"), std::string::npos);
  // The trace opens in the other verbs.
  r = run("inspect s.attn.safetensors");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("pool"), std::string::npos) << r.out;
}

TEST_F(SentimentCommands, BadInputIsOneLineAndNoOutput) {
  ASSERT_EQ(run(std::string(kTrainReviews) + " -o m.safetensors").code, 0);
  expect_error("classify --model m.safetensors \"   \" --png a.png", 1, "empty input text");
  expect_error("classify --model m.safetensors \"good \xe9\" --png a.png", 1, "not valid UTF-8");
  expect_error("classify --model m.safetensors \"zzqx qqzx\" --png a.png", 1, "no word of");
  expect_error("classify --model m.safetensors \"good\" --png a.svg", 2, "--png needs a .png path");
  expect_error("classify --model m.safetensors good bad --png a.png", 2, "exactly one text");
  EXPECT_FALSE(fs::exists(dir_ / "a.png"));
  EXPECT_FALSE(fs::exists(dir_ / "a.svg"));

  // A translation checkpoint is not a classifier.
  ASSERT_EQ(run("train translate --builtin dates --steps 2 --hidden 8 --embed 8 -q -o t.safetensors").code, 0);
  expect_error("classify --model t.safetensors good", 1, "not a sentiment classifier");
  expect_error("eval sentiment --model t.safetensors --builtin reviews", 1, "not a sentiment classifier");

  write("mixed.tsv", "good film\t1\nbad film\tnegative\n");
  expect_error("eval sentiment --model m.safetensors --data mixed.tsv", 1, "line 2: labels mix numbers and words");
  write("five.tsv", "good film\tvery positive\nbad film\tnegative\n");
  expect_error("eval sentiment --model m.safetensors --data five.tsv", 1, "the model does not know");
  expect_error("eval sentiment --model m.safetensors", 2, "no data");
  expect_error("train sentiment --normalizer topk:99999999999999999999 --steps 1 -q", 2, "topk:K");
  expect_error("train sentiment --pooling mean --normalizer sparsemax --steps 1 -q", 2, "attention pooling only");
  write("bad.tsv", "good film\t1\n\t0\nnice\t1\n");
  expect_error("train sentiment --data bad.tsv --steps 1 -q -o x.safetensors", 1, "line 2: empty text");
  EXPECT_FALSE(fs::exists(dir_ / "x.safetensors"));
}

}  // namespace

namespace {

// Issue 14: `eval sentiment --perturb NAME[:LEVEL]` adds one line with the perturbed accuracy and
// the focus shift (attention mass on the inserted words), checked before any work.
TEST_F(SentimentCommands, PerturbedEvaluationReportsTheFocusShift) {
  ASSERT_EQ(run("train sentiment --steps 30 --hidden 16 --embed 16 -q -o m.safetensors").code, 0);
  const auto r = run("eval sentiment --model m.safetensors --builtin reviews --perturb distractors:0.3");
  ASSERT_EQ(r.code, 0) << r.err;
  const size_t at = r.out.find("perturb: distractors:0.3 accuracy=");
  ASSERT_NE(at, std::string::npos) << r.out;
  EXPECT_NE(r.out.find("focus_shift=", at), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("chance=", at), std::string::npos) << r.out;
  expect_error("eval sentiment --model m.safetensors --builtin reviews --perturb noise", 2, "expected distractors, filler");
}

// Issue 10: trace, view and run open a checkpoint of `attnscope train` as they open an imported
// model (one opener: models/open_model.h).
class TrainedModelVerbs : public cli_test::CliTest {
 protected:
  void SetUp() override { make_dir("trained_verbs_", "ATTNSCOPE_THREADS=1"); }
  // Starts `view ARGS` in the background; true once it printed its URL (then stops it).
  bool view_serves(const std::string& args) const {
    const std::string bg = "cd '" + dir_.string() + "' && ('" + std::string(ATTNSCOPE_BINARY_DIR) + "/attnscope' view " + args +
                           " >url.txt 2>&1 & echo $! >pid.txt)";
    if (std::system(bg.c_str()) != 0) return false;
    std::string url;
    // Up to 30 s: under the full suite on 2 cores the model load and first render can be slow.
    for (int i = 0; i < 600 && url.find("http://127.0.0.1:") == std::string::npos; ++i) {
      std::system("sleep 0.05");
      url = cli_test::slurp(dir_ / "url.txt");
    }
    std::system(("kill " + cli_test::slurp(dir_ / "pid.txt") + " 2>/dev/null").c_str());
    return url.find("http://127.0.0.1:") != std::string::npos;
  }
};

TEST_F(TrainedModelVerbs, TraceViewRunOnATranslatorAndAClassifier) {
  using cli_test::CmdResult;
  ASSERT_EQ(run("train translate --builtin dates --steps 5 --hidden 8 --embed 8 -q -o t.safetensors").code, 0);
  ASSERT_EQ(run("train sentiment --steps 5 --hidden 8 --embed 8 -q -o s.safetensors").code, 0);

  CmdResult r = run("trace t.safetensors \"3 avril 1999\" -o t.attn.safetensors");
  ASSERT_EQ(r.code, 0) << r.err;
  r = run("inspect t.attn.safetensors");
  EXPECT_NE(r.out.find("decoder.cross"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("source_text: 3 avril 1999"), std::string::npos) << r.out;
  r = run("run t.safetensors \"3 avril 1999\"");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("translation: ", 0), 0u) << r.out;

  r = run("trace s.safetensors \"the plot was superb .\" --capture topk:2 -o s.attn.safetensors");
  ASSERT_EQ(r.code, 0) << r.err;
  r = run("inspect s.attn.safetensors");
  EXPECT_NE(r.out.find("pool"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("topk:2"), std::string::npos) << r.out;
  r = run("run s.safetensors \"the plot was superb .\"");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.rfind("positive ", 0) == 0 || r.out.rfind("negative ", 0) == 0) << r.out;

  EXPECT_TRUE(view_serves("t.safetensors \"3 avril 1999\""));
  EXPECT_TRUE(view_serves("s.safetensors \"the plot was superb .\""));

  expect_error("trace t.safetensors \"3 avril 1999\" --generate 3 -o x.attn.safetensors", 2, "--generate is for language models");
  expect_error("run s.safetensors \"   \"", 1, "empty input text");
  ASSERT_EQ(run("train reverse --steps 2 -q -o r.safetensors").code, 0);
  expect_error("trace r.safetensors \"1 2 3\" -o x.attn.safetensors", 1, "do not know how to run");
  EXPECT_FALSE(fs::exists(dir_ / "x.attn.safetensors"));
}

}  // namespace
