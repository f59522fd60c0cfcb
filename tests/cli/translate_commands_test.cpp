// The translation verbs through the binary: a run killed mid-way (SIGKILL) resumes from its
// last checkpoint on the same loss curve; bad inputs give one-line errors.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "cli_fixture.h"

namespace {

using namespace cli_test;

// The "training" JSON of a checkpoint's safetensors metadata.
nlohmann::json training_state(const fs::path& ckpt) {
  const std::string bytes = slurp(ckpt);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  auto header = nlohmann::json::parse(bytes.substr(8, n));
  return nlohmann::json::parse(header["__metadata__"]["training"].get<std::string>());
}

class TranslateCommands : public CliTest {
 protected:
  void SetUp() override { make_dir("translate_", "ATTNSCOPE_THREADS=1"); }
  // The exit code; the stderr text into *err when given.
  int code(const std::string& args, std::string* err = nullptr) const {
    const CmdResult r = run(args);
    if (err) *err = r.err;
    return r.code;
  }
};

const char* kTrainDates = "train translate --builtin dates --steps 60 --eval-every 10 --hidden 32 --embed 16 -q";

TEST_F(TranslateCommands, KilledRunResumesOnTheSameLossCurve) {
  ASSERT_EQ(code(std::string(kTrainDates) + " -o straight.ckpt"), 0);
  const auto straight = training_state(dir_ / "straight.ckpt")["losses"];
  ASSERT_EQ(straight.size(), 60u);

  // Start the same run and kill it (SIGKILL) once it has written a checkpoint.
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::chdir(dir_.c_str());
    ::setenv("ATTNSCOPE_THREADS", "1", 1);
    ::freopen("/dev/null", "w", stderr);
    execl(bin_.c_str(), "attnscope", "train", "translate", "--builtin", "dates", "--steps", "60", "--eval-every", "10",
          "--hidden", "32", "--embed", "16", "-q", "-o", "killed.ckpt", static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(dir_ / "killed.ckpt") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(fs::exists(dir_ / "killed.ckpt"));
  const size_t done = training_state(dir_ / "killed.ckpt")["losses"].size();
  ASSERT_GT(done, 0u);
  ASSERT_LT(done, 60u) << "the run finished before it could be killed";

  ASSERT_EQ(code(std::string(kTrainDates) + " --resume killed.ckpt -o killed.ckpt"), 0);
  const auto resumed = training_state(dir_ / "killed.ckpt")["losses"];
  ASSERT_EQ(resumed.size(), 60u);
  for (size_t i = 0; i < 60; ++i) EXPECT_EQ(resumed[i].get<float>(), straight[i].get<float>()) << "step " << i;
  // No temporary files left behind.
  for (const auto& e : fs::directory_iterator(dir_)) EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos);
}

TEST_F(TranslateCommands, BadInputsGiveOneLineErrors) {
  std::ofstream(dir_ / "notab.tsv") << "hello\tbonjour\nno tab here\n";
  std::ofstream(dir_ / "empty.tsv") << "\n\n";
  std::ofstream(dir_ / "junk.ckpt") << "not a checkpoint at all";
  expect_error("train translate --data notab.tsv --steps 1 -q", 1, "notab.tsv:2: no tab");
  expect_error("train translate --data empty.tsv --steps 1 -q", 1, "no sentence pairs");
  expect_error("train translate --data missing.tsv --steps 1 -q", 1, "missing.tsv");
  expect_error("train translate --builtin dates --arch lstm --steps 1", 2, "--arch");
  expect_error("train translate --builtin dates --model rnn --steps 1", 2, "--model");
  expect_error("train translate --builtin dates --arch transformer --attention hard --steps 1", 2, "attention");
  expect_error("train translate --builtin dates --steps 1 -q --focus-every 1 --focus-out nodir/f.attn.safetensors", 1, "nodir");
  expect_error("eval translate --model tiny.ckpt", 2, "no data");
  expect_error("train translate --builtin dates --attention monotonic --steps 1", 2, "monotonic");
  expect_error("train translate --builtin dates --attention local --window 0 --steps 1", 2, "--window");
  expect_error("translate --model junk.ckpt hello", 1, "junk.ckpt");
  expect_error("translate --model missing.ckpt hello", 1, "missing.ckpt");
  ASSERT_EQ(code("train translate --builtin dates --steps 5 --hidden 32 --embed 16 -q -o tiny.ckpt"), 0);
  expect_error("translate --model tiny.ckpt '   '", 1, "empty input");
  // Resuming with other settings names only those that differ, as flags.
  expect_error("train translate --resume tiny.ckpt --steps 10 --hidden 32 --embed 16 -q -o tiny2.ckpt", 2,
               "it was trained with --builtin dates, this run has --builtin (not given)");
  expect_error("train translate --builtin dates --resume tiny.ckpt --steps 10 --hidden 32 --embed 16 --lr 0.5 -q -o tiny2.ckpt", 2,
               "it was trained with --lr ");
  // Text made only of unknown words still translates (to something), with a warning.
  std::string err;
  EXPECT_EQ(code("translate --model tiny.ckpt 'zzz qqq'", &err), 0) << err;
  EXPECT_NE(err.find("unknown"), std::string::npos);
  EXPECT_EQ(err.rfind("attnscope: warning: ", 0), 0u) << err;
  // A long unknown text is quoted clipped, not whole; bytes that are not UTF-8 are one error
  // (they reached the trace's JSON writer as its exception).
  EXPECT_EQ(code("translate --model tiny.ckpt '" + std::string(3000, 'z') + "'", &err), 0) << err;
  EXPECT_LT(err.size(), 200u) << err;
  expect_error("translate --model tiny.ckpt 'caf\xe9 au lait' --html t.html", 1, "not valid UTF-8");
  EXPECT_FALSE(fs::exists(dir_ / "t.html"));
}

// eval translate --perturb (robustness, with the focus shift onto the perturbation) and
// --faithfulness (the encoder-decoder faithfulness table) through the binary.
TEST_F(TranslateCommands, EvalPerturbAndFaithfulness) {
  ASSERT_EQ(code("train translate --builtin dates --steps 5 --hidden 32 --embed 16 -q -o tiny.ckpt"), 0);
  ASSERT_EQ(code("eval translate --model tiny.ckpt --builtin dates --held-out 20 --perturb distractors:0.3"), 0)
      << slurp(dir_ / "err.txt");
  std::string out = slurp(dir_ / "out.txt");
  EXPECT_NE(out.find("dates: exact="), std::string::npos) << out;
  EXPECT_NE(out.find("perturb: distractors:0.3 exact="), std::string::npos) << out;
  EXPECT_NE(out.find("focus_shift="), std::string::npos) << out;
  // Dropout removes words and inserts none: no focus shift to measure.
  ASSERT_EQ(code("eval translate --model tiny.ckpt --builtin dates --held-out 20 --perturb dropout"), 0);
  out = slurp(dir_ / "out.txt");
  EXPECT_NE(out.find("perturb: dropout:0.2 exact="), std::string::npos) << out;
  EXPECT_EQ(out.find("focus_shift="), std::string::npos) << out;
  ASSERT_EQ(code("eval translate --model tiny.ckpt --builtin dates --held-out 20 --faithfulness 3"), 0);
  out = slurp(dir_ / "out.txt");
  EXPECT_NE(out.find("faithfulness vs leave-one-out"), std::string::npos) << out;
  EXPECT_NE(out.find("decoder.cross"), std::string::npos) << out;
  expect_error("eval translate --model tiny.ckpt --builtin dates --perturb shuffle", 2, "expected distractors");
}

// --attention local|hard train, save and translate through the binary, and their traces name
// the mechanism (local_p, hard_gumbel) at the usual site.
TEST_F(TranslateCommands, LocalAndHardAttentionFromTheCommandLine) {
  for (const std::string kind : {"local", "hard"}) {
    ASSERT_EQ(code("train translate --builtin dates --steps 8 --hidden 32 --embed 16 -q --attention " + kind +
                  " -o " + kind + ".ckpt"),
              0)
        << slurp(dir_ / "err.txt");
    EXPECT_NE(slurp(dir_ / "out.txt").find("dates: exact="), std::string::npos);
    ASSERT_EQ(code("translate --model " + kind + ".ckpt '3 avril 1999' --trace " + kind + ".attn.safetensors"), 0)
        << slurp(dir_ / "err.txt");
    ASSERT_EQ(code("inspect " + kind + ".attn.safetensors"), 0) << slurp(dir_ / "err.txt");
    const std::string info = slurp(dir_ / "out.txt");
    EXPECT_NE(info.find("decoder.cross"), std::string::npos) << info;
    EXPECT_NE(info.find(kind == "local" ? "local_p" : "hard_gumbel"), std::string::npos) << info;
  }
}

}  // namespace

namespace {

// `analyze training`: the focus series of two runs (with and without attention supervision)
// drawn and compared; bad inputs give one-line errors.
TEST_F(TranslateCommands, AnalyzeTrainingChartsAndComparesRuns) {
  const std::string base = "train translate --builtin dates --steps 4 --hidden 32 --embed 16 -q --focus-every 2";
  ASSERT_EQ(code(base + " -o sup.ckpt --attention-supervision 1"), 0);
  ASSERT_EQ(code(base + " -o plain.ckpt"), 0);
  ASSERT_EQ(code("train translate --builtin dates --steps 2 --hidden 32 --embed 16 -q -o nofocus.ckpt"), 0);
  const CmdResult r = run("analyze training sup.ckpt --compare plain.ckpt.focus.attn.safetensors -o cmp.svg");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("exact >= 99%"), std::string::npos) << r.out;
  const std::string svg = slurp(dir_ / "cmp.svg");
  EXPECT_GT(std::count(svg.begin(), svg.end(), '\n'), 10);
  EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos);  // the compared run is dashed
  expect_error("analyze training nofocus.ckpt -o x.png", 2, "without a focus series");
  expect_error("analyze training missing.ckpt -o x.png", 1, "missing.ckpt");
  std::ofstream(dir_ / "junk.ckpt") << "not a checkpoint at all";
  expect_error("analyze training junk.ckpt -o x.png", 1, "junk.ckpt");
  expect_error("analyze training sup.ckpt -o x.txt", 2, "x.txt");
  expect_error("analyze training -o x.png", 2, "RUN");
}

// `analyze training` animated and as a report page: the GIF has a frame per snapshot step, with
// the snapshot heatmap found beside the checkpoint; the page holds both runs' series; a heatmap
// choice without snapshots, or a bad layer, is one line and no output.
TEST_F(TranslateCommands, AnalyzeTrainingAnimatesAndWritesThePage) {
  const std::string base = "train translate --builtin dates --steps 4 --hidden 32 --embed 16 -q --focus-every 2";
  ASSERT_EQ(code(base + " -o sup.ckpt --attention-supervision 1"), 0);
  ASSERT_EQ(code(base + " -o plain.ckpt --focus-out plain.snaps.attn.safetensors"), 0);
  CmdResult r = run("analyze training sup.ckpt -o series.gif");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("wrote series.gif (3 frames, beside translate-rnn"), std::string::npos) << r.out;
  const std::string gif = slurp(dir_ / "series.gif");
  ASSERT_GT(gif.size(), 6u);
  EXPECT_EQ(gif.substr(0, 6), "GIF89a");
  // The snapshots of plain.ckpt are not beside it: the chart alone, unless --snapshots names them.
  r = run("analyze training plain.ckpt -o alone.gif");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("wrote alone.gif (3 frames)"), std::string::npos) << r.out;
  r = run("analyze training plain.ckpt --snapshots plain.snaps.attn.safetensors --head 0 -o frames/");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir_ / "frames" / "frame_00002.png"));
  expect_error("analyze training plain.ckpt --layer 0 -o nomaps.gif", 2, "--snapshots");
  EXPECT_FALSE(fs::exists(dir_ / "nomaps.gif"));
  expect_error("analyze training sup.ckpt --layer 7 -o badlayer.gif", 2, "layer");
  EXPECT_FALSE(fs::exists(dir_ / "badlayer.gif"));
  r = run("analyze training sup.ckpt --compare plain.ckpt -o page.html");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string page = slurp(dir_ / "page.html");
  EXPECT_NE(page.find("\"training\":[{"), std::string::npos);
  EXPECT_NE(page.find("plain.ckpt"), std::string::npos);
  EXPECT_NE(page.find("entropy/decoder.cross/h0"), std::string::npos);
}

}  // namespace

// Issue 16: `translate --png` had a fixed size and colour map; the heatmap flags are render's.
// And `tokenize` shows the translator's word vocabulary (source or target side).
TEST_F(TranslateCommands, PictureFlagsAndTokenizeOfATranslator) {
  ASSERT_EQ(code("train translate --builtin dates --steps 5 --hidden 32 --embed 16 -q -o tiny.ckpt"), 0);
  auto png_size = [&](const std::string& name) {
    const std::string b = slurp(dir_ / name);
    auto be32 = [&](size_t at) {
      return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) | (uint32_t(uint8_t(b[at + 2])) << 8) |
             uint32_t(uint8_t(b[at + 3]));
    };
    return b.size() > 24 ? std::pair{be32(16), be32(20)} : std::pair{0u, 0u};
  };
  ASSERT_EQ(code("translate --model tiny.ckpt '3 avril 1999' --png small.png"), 0) << slurp(dir_ / "err.txt");
  ASSERT_EQ(code("translate --model tiny.ckpt '3 avril 1999' --png big.png --size 1200 --cmap magma"), 0)
      << slurp(dir_ / "err.txt");
  EXPECT_GT(png_size("big.png").second, png_size("small.png").second + 200);  // the cell area grows
  EXPECT_NE(slurp(dir_ / "small.png"), slurp(dir_ / "big.png"));
  expect_error("translate --model tiny.ckpt '3 avril 1999' --png x.png --cmap jet", 2, "jet");
  expect_error("translate --model tiny.ckpt '3 avril 1999' --cmap magma", 2, "add --png, --svg, --gif or --mp4");
  expect_error("translate --model tiny.ckpt '3 avril 1999' --gif x.gif --size 900", 2, "own frame size");
  EXPECT_FALSE(fs::exists(dir_ / "x.png"));

  CmdResult r = run("tokenize tiny.ckpt '3 avril 1999'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("translate source: dates"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2..7"), std::string::npos) << r.out;  // "avril" at bytes 2..7
  r = run("tokenize tiny.ckpt '1999-04-03' --side target --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["tokenizer"], "translate target: char");
  EXPECT_EQ(j["tokens"][0]["begin"], 0);
}

// Issue 16 (smaller): the demo's wording. It names the binary as `attnscope` (no ./build path),
// counts in English (no "1 layers", "1 arrays"), and suggests a date of the generator's own
// formats (data::date_in_format: "17 juin 2004"; it once suggested "24 déc 2001", which no
// format writes and the model answered 2001-01-24), the same in its output and its README.
TEST_F(TranslateCommands, DemoWordingAndItsSuggestionIsInDistribution) {
  const CmdResult r = run("demo --steps 3 -q -o d");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string all = r.out + r.err + slurp(dir_ / "d" / "README.md");
  EXPECT_EQ(all.find("./build"), std::string::npos) << all;
  for (const char* bad : {" 1 layers", " 1 arrays", " 1 heads", " 1 snapshots", " 1 frames", " 1 steps"})
    EXPECT_EQ(all.find(bad), std::string::npos) << bad;
  EXPECT_NE(r.out.find("attnscope translate --model d/dates.ckpt.safetensors \"17 juin 2004\""), std::string::npos) << r.out;
  EXPECT_NE(slurp(dir_ / "d" / "README.md").find("--model d/dates.ckpt.safetensors \"17 juin 2004\""), std::string::npos);
  EXPECT_NE(r.out.find("3 avril 1999"), std::string::npos);
}
