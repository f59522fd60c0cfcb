// Focus-guided speed through the binary: `prune` prints a curve that starts unpruned and whose
// quality falls as heads go; bad input is one line with a non-zero exit.
#include <fstream>
#include <regex>

#include "cli_fixture.h"
#include "shared_data.h"

namespace {

namespace fs = std::filesystem;
using cli_test::CmdResult;

using attnscope::testing::shared_data_path;

class Speed : public cli_test::CliTest {
 protected:
  void SetUp() override { make_dir("speed_", "ATTNSCOPE_THREADS=1"); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir_ / name) << text; }
  static std::string stories() { return attnscope::testing::stories_bin(); }
};

}  // namespace

TEST_F(Speed, PruneCurveOfStories260K) {
  if (!fs::exists(stories())) GTEST_SKIP() << "../shared/data is absent (real-model test)";
  write("cal.txt", "Once upon a time there was a little cat.\nThe dog ran to the park with his ball.\n");
  write("held.txt", "Lily saw a big red bird in the tree.\nShe was very happy and she smiled.\nTom wanted to play.\n");
  const CmdResult r = run("prune " + stories() + " --calibrate cal.txt --data held.txt --shares 0,0.75 --repeats 1");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::regex line(R"(share=([0-9.]+)% pruned=(\d+)/40 perplexity=([0-9.]+) ms=[0-9.]+ speedup=[0-9.]+x)");
  std::vector<double> ppl;
  std::vector<int> pruned;
  for (std::sregex_iterator it(r.out.begin(), r.out.end(), line), end; it != end; ++it) {
    pruned.push_back(std::stoi((*it)[2]));
    ppl.push_back(std::stod((*it)[3]));
  }
  ASSERT_EQ(ppl.size(), 2u) << r.out;
  EXPECT_EQ(pruned, (std::vector<int>{0, 30}));
  EXPECT_GT(ppl[1], ppl[0]) << r.out;
}

TEST_F(Speed, BadPruneInputIsOneLine) {
  if (!fs::exists(stories())) GTEST_SKIP() << "../shared/data is absent (real-model test)";
  write("cal.txt", "Once upon a time.\n");
  write("empty.txt", "\n\n");
  expect_error("prune " + stories() + " --calibrate cal.txt", 2, "held-out");
  expect_error("prune " + stories() + " --calibrate empty.txt --data cal.txt", 1, "no text lines");
  expect_error("prune " + stories() + " --calibrate cal.txt --data cal.txt --shares 1.5", 2, "shares");
  expect_error("prune " + stories() + " --by magic --calibrate cal.txt --data cal.txt", 2, "by");
}
