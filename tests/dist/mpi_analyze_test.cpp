// `mpirun -np K attnscope analyze MODEL --corpus FILE`: the ranks split the corpus and rank 0
// writes the report one process writes, bit for bit (FocusSums are fixed-point, so the reduction
// is exact). The model is a small dates translator trained here, so the test needs no downloads.
#include <fstream>

#include "mpi_fixture.h"

namespace {

using mpi_test::CmdResult;
using mpi_test::MpiTest;
using nlohmann::json;

class MpiAnalyze : public MpiTest {
 protected:
  void SetUp() override {
    MpiTest::SetUp();
    ASSERT_EQ(run("train translate --builtin dates --steps 20 --hidden 32 --embed 16 -q -o dates.ckpt").code, 0);
    std::ofstream(dir_ / "corpus.txt") << "3 avril 1999\n12/05/87\n\n1999年4月3日\nMarch 4, 2001\n"
                                          "le 1er mai 2020\n7 Mar 1962\n2 February 1980\n";
  }
  json report(const std::string& name) const { return json::parse(cli_test::slurp(dir_ / name)); }
};

TEST_F(MpiAnalyze, RanksWriteTheOneProcessReport) {
  ASSERT_EQ(run("analyze dates.ckpt --corpus corpus.txt -q -o one.json").code, 0);
  CmdResult r = launch(2, "analyze dates.ckpt --corpus corpus.txt -o two.json");
  ASSERT_EQ(r.code, 0) << r.err;
  const json one = report("one.json"), two = report("two.json");
  EXPECT_EQ(one["sequences_analyzed"], 7);
  EXPECT_EQ(one["blank_lines_skipped"], 1);
  EXPECT_EQ(two, one);
  EXPECT_EQ(r.out.rfind("wrote two.json: 7 sequences", 0), 0u) << "rank 0 alone reports:\n" << r.out;
  // Three ranks within a --shard: together they are that shard's partial.
  ASSERT_EQ(run("analyze dates.ckpt --corpus corpus.txt --shard 1/2 -q -o half.json").code, 0);
  r = launch(3, "analyze dates.ckpt --corpus corpus.txt --shard 1/2 -q -o half3.json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(report("half3.json"), report("half.json"));
}

TEST_F(MpiAnalyze, OneTextUnderSeveralRanksIsRefused) {
  const CmdResult r = launch(2, "analyze dates.ckpt '3 avril 1999' -o t.json");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("several processes split a --corpus"), std::string::npos) << r.err;
}

}  // namespace
