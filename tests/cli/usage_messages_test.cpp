// Issue 16 ("smaller"): what a user reads when a number, a command or an output path is wrong —
// one short line naming the flag and the rule, the command, or the missing directory; never
// CLI11's 300-digit bound, "A subcommand is required", or the temporary file's wording.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "cli_fixture.h"
#include "shared_data.h"

namespace {

using namespace cli_test;

class UsageMessages : public CliTest {
 protected:
  void SetUp() override {
    make_dir("usage_");
    std::ofstream(dir_ / "attn.npy", std::ios::binary) << attention_npy(1, 2, 5);
    std::ofstream(dir_ / "tokens.json") << R"(["a", "b", "c", "d", "e"])";
    ASSERT_EQ(run("trace import attn.npy --tokens tokens.json -o t.attn.safetensors").code, 0);
  }
  void expect_short(const std::string& args, int code, const std::string& needle) const {
    expect_error(args, code, needle);
    EXPECT_LT(run(args).err.size(), 260u) << args;
  }
};

}  // namespace

TEST_F(UsageMessages, NumbersNameTheFlagAndTheRule) {
  expect_short("show t.attn.safetensors --query -1", 2, "--query: must be >= 0, got -1");
  expect_short("--threads -1 show t.attn.safetensors", 2, "--threads: must be >= 0, got -1");
  expect_short("run model.gguf text --top 0", 2, "--top: must be >= 1, got 0");
  // A flag given an empty value (an unset shell variable) meant "not given": no trace written,
  // no checkpoint, the built-in data. Now one line.
  expect_short("show t.attn.safetensors --layer ''", 2, "--layer: empty value");
  expect_short("train reverse --steps 1 -q -o ''", 2, "--output: empty value");
  expect_short("train caption --data '' --steps 1 -q", 2, "--data: empty value");
  // std::filesystem's own text ("filesystem error: status: ...") is said as ours: the path, why.
  fs::create_directories(dir_ / "loop");
  fs::create_symlink("b", dir_ / "loop" / "a");
  fs::create_symlink("a", dir_ / "loop" / "b");
  expect_short("run loop hi", 1, "Too many levels of symbolic links");
  EXPECT_EQ(run("run loop hi").err.find("filesystem error"), std::string::npos);
  std::ofstream(dir_ / "afile") << "x";  // not a folder: said as such, not as a filesystem exception
  expect_short("demo -o afile", 1, "demo: cannot make the output folder 'afile': Not a directory");
  // A seed is 64 unsigned bits: "-1" and 10^23 would have wrapped into other seeds.
  expect_short("caption --model m.safetensors --scene 1 --seed -1", 2, "--seed: a seed is an integer from 0 to 2^64-1, got '-1'");
  expect_short("caption --model m.safetensors --scene 1 --seed 99999999999999999999999", 2, "got '99999999999999999999999'");
  expect_short("render t.attn.safetensors --vmax 0 -o x.png", 2, "--vmax: must be > 0, got 0");
  expect_short("render t.attn.safetensors --threshold 2 -o x.png", 2, "--threshold: must be in 0..1, got 2");
  expect_short("render t.attn.safetensors --size 100000x100000 -o x.png", 2, "--size: expected a number, got '100000x100000'");
  expect_short("animate t.attn.safetensors --size 100000x100000 -o x.gif", 2, "frame size 100000x100000 outside 16..4096");
}

TEST_F(UsageMessages, CommandsAreNamedAndBareAttnscopePrintsHelp) {
  expect_short("bogus", 2, "unknown command 'bogus'; commands: ");
  expect_short("--threads 2 bogus t.attn.safetensors", 2, "unknown command 'bogus'");
  const CmdResult r = run("");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("Usage: attnscope"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("render"), std::string::npos) << r.out;
}

TEST_F(UsageMessages, MissingInputsAndOutputDirectoriesAreNamed) {
  expect_short("view nope.attn.safetensors", 1, "cannot open 'nope.attn.safetensors': No such file");
  expect_short("render t.attn.safetensors -o nodir/x.png", 1, "cannot write 'nodir/x.png': directory 'nodir' does not exist");
  expect_short("render t.attn.safetensors -o t.attn.safetensors/x.svg", 1, "'t.attn.safetensors' is not a directory");
  expect_short("export t.attn.safetensors --html -o nodir/x.html", 1, "directory 'nodir' does not exist");
  EXPECT_FALSE(fs::exists(dir_ / "nodir"));
}

// An output flag's file has the flag's kind, and no output is an input — checked before any work
// (no model is loaded: these models do not exist).
TEST_F(UsageMessages, OutputsHaveTheirFlagsKindAndAreNotInputs) {
  expect_short("trace import attn.npy --tokens tokens.json -o x.png", 2, "-o 'x.png': expected NAME.safetensors");
  expect_short("trace import attn.npy --tokens tokens.json -o attn.npy", 2, "-o 'attn.npy': expected NAME.safetensors");
  expect_short("trace m.safetensors hello -o x.png", 2, "-o 'x.png': expected NAME.safetensors");
  expect_short("trace t.attn.safetensors hello -o ./t.attn.safetensors", 2, "is the input 't.attn.safetensors'");
  expect_short("translate --model m.safetensors hello --png a.svg", 2, "--png 'a.svg': expected NAME.png");
  expect_short("translate --model m.safetensors hello --svg a.png", 2, "--svg 'a.png': expected NAME.svg");
  expect_short("translate --model m.safetensors hello --trace t.png", 2, "--trace 't.png': expected NAME.safetensors");
  expect_short("translate --model m.safetensors hello --html t.gif", 2, "--html 't.gif': expected NAME.html or NAME.htm");
  EXPECT_FALSE(fs::exists(dir_ / "x.png"));
  EXPECT_FALSE(fs::exists(dir_ / "a.svg"));
  EXPECT_EQ(slurp(dir_ / "attn.npy").substr(1, 5), "NUMPY");
}

// Flags that would be accepted and ignored are refused; numbers past what there is are clamped
// with a note (the rule of top-k capture).
TEST_F(UsageMessages, IgnoredFlagsAreRefusedAndClampsAreSaid) {
  const std::string stories = attnscope::testing::stories_bin();
  expect_short("render t.attn.safetensors --view model --head 1 -o m.png", 2, "a layer or head choice does not apply");
  expect_short("render t.attn.safetensors --view model --layer 0 -o m.png", 2, "a layer or head choice does not apply");
  EXPECT_FALSE(fs::exists(dir_ / "m.png"));
  if (!fs::exists(stories)) GTEST_SKIP() << "../shared/data is absent (real-model part)";
  expect_short("run " + stories + " hello --port 8000", 2, "--port requires --view");
  expect_short("run " + stories + " hello --capture stats", 2, "--capture requires --view");
  expect_short("generate " + stories + " hello --open", 2, "--open requires --view");
  CmdResult r = run("run " + stories + " Once --top 100000");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("note: --top 100000 is more than the vocabulary: showing all 512 tokens"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("next-token top-512:"), std::string::npos) << r.out;
  r = run("generate " + stories + " Once --max-tokens 1000000 --temperature 0");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("the context holds 512 tokens, so at most 511 follow"), std::string::npos) << r.err;
}

// Counts read as English: "1 layer x 2 heads" (was "1 layers").
TEST_F(UsageMessages, CountsAreSingularOrPlural) {
  const CmdResult r = run("trace import attn.npy --tokens tokens.json -o u.attn.safetensors");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("1 layer x 2 heads, 5 queries x 5 keys"), std::string::npos) << r.out;
}
