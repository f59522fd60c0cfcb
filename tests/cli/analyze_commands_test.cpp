// `attnscope analyze`: the report.json contract (rollout per self-attention sequence), corpus
// shards merged into exactly the single run, `analyze align` AER on the awesome-align gold sets,
// and bad input as one line with a non-zero exit.
#include <nlohmann/json.hpp>

#include "attnscope/focus/rank_correlation.h"
#include "cli_fixture.h"
#include "shared_data.h"

namespace {

namespace fs = std::filesystem;
using cli_test::CmdResult;
using nlohmann::json;
using namespace attnscope;

using attnscope::testing::shared_data_path;

class Analyze : public cli_test::CliTest {
 protected:
  void SetUp() override { make_dir("analyze_", "ATTNSCOPE_THREADS=1"); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir_ / name) << text; }
  json report(const std::string& name) const { return json::parse(cli_test::slurp(dir_ / name)); }
  static std::string stories() { return attnscope::testing::stories_bin(); }
};

TEST_F(Analyze, RolloutOfATraceAndRolesOfItsHeads) {
  if (!fs::exists(stories())) GTEST_SKIP() << "../shared/data is absent (real-model test)";
  ASSERT_EQ(run("trace " + stories() + " \"Once upon a time there was a cat\" -o t.attn.safetensors").code, 0);
  CmdResult r = run("analyze t.attn.safetensors --rollout --flow -o r.json");
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = report("r.json");
  ASSERT_EQ(j["layers"].size(), 5u);
  ASSERT_EQ(j["layers"][0]["heads"].size(), 8u);
  EXPECT_TRUE(j["layers"][0]["heads"][0].contains("role"));
  ASSERT_EQ(j["sequences"].size(), 1u);
  const json& roll = j["sequences"][0]["rollout"];
  const size_t T = j["sequences"][0]["tokens"].size();
  ASSERT_EQ(roll.size(), T);
  for (size_t i = 0; i < T; ++i) {
    ASSERT_EQ(roll[i].size(), T);
    double sum = 0;
    for (size_t k = 0; k < T; ++k) {
      sum += roll[i][k].get<double>();
      if (k > i) {
        EXPECT_EQ(roll[i][k].get<double>(), 0.0) << "causal rollout reaches a future token";
      }
    }
    EXPECT_NEAR(sum, 1.0, 1e-5);
    // Flow: the same shape and rules (rows sum to 1, causal).
    const json& flow = j["sequences"][0]["flow"][i];
    ASSERT_EQ(flow.size(), T);
    double fs = 0;
    for (size_t k = 0; k < T; ++k) {
      fs += flow[k].get<double>();
      if (k > i) {
        EXPECT_EQ(flow[k].get<double>(), 0.0);
      }
    }
    EXPECT_NEAR(fs, 1.0, 1e-5);
  }
  // --query: that one row of the full flow.
  r = run("analyze t.attn.safetensors --flow --query 3 -o q.json");
  ASSERT_EQ(r.code, 0) << r.err;
  const json q = report("q.json")["sequences"][0]["flow"];
  ASSERT_EQ(q.size(), 1u);
  for (size_t k = 0; k < T; ++k) EXPECT_NEAR(q[0][k].get<double>(), j["sequences"][0]["flow"][3][k].get<double>(), 1e-6);
  expect_error("analyze t.attn.safetensors --flow --query 999 -o q2.json", 2, "out of range");
  // The same text through the model directly gives the same roles as through the trace (whose
  // weights are stored as f16: the measures agree to that precision).
  r = run("analyze " + stories() + " \"Once upon a time there was a cat\" -o m.json");
  ASSERT_EQ(r.code, 0) << r.err;
  const json m = report("m.json");
  ASSERT_EQ(m["layers"].size(), j["layers"].size());
  for (size_t l = 0; l < m["layers"].size(); ++l)
    for (size_t h = 0; h < 8; ++h) {
      const json &a = m["layers"][l]["heads"][h], &b = j["layers"][l]["heads"][h];
      EXPECT_EQ(a["role"], b["role"]) << l << "." << h;
      EXPECT_NEAR(a["max_weight"].get<double>(), b["max_weight"].get<double>(), 1e-3);
      EXPECT_NEAR(a["entropy"].get<double>(), b["entropy"].get<double>(), 1e-3);
    }
}

TEST_F(Analyze, CorpusShardsMergeIntoTheSingleRun) {
  if (!fs::exists(stories())) GTEST_SKIP() << "../shared/data is absent (real-model test)";
  write("c.txt", "Once upon a time\nthe dog ran to the park\n\nshe was happy and she smiled\nLily had a red ball\nthe end\n");
  ASSERT_EQ(run("analyze " + stories() + " --corpus c.txt -q -o all.json").code, 0);
  ASSERT_EQ(run("analyze " + stories() + " --corpus c.txt --shard 1/2 -q -o p1.json").code, 0);
  ASSERT_EQ(run("analyze " + stories() + " --corpus c.txt --shard 0/2 -q -o p0.json").code, 0);
  CmdResult r = run("analyze merge p1.json p0.json -o merged.json");
  ASSERT_EQ(r.code, 0) << r.err;
  const json all = report("all.json"), merged = report("merged.json");
  EXPECT_EQ(all["sequences_analyzed"], 5);
  EXPECT_EQ(all["blank_lines_skipped"], 1);
  EXPECT_EQ(merged["sums"], all["sums"]);
  EXPECT_EQ(merged["layers"], all["layers"]);
  // A shard twice, a shard missing, a whole report among partials, the output an input: one line.
  expect_error("analyze merge p1.json p1.json -o m2.json", 2, "shard 1/2 is given twice");
  expect_error("analyze merge p1.json -o m2.json", 2, "shard 0/2 is missing (1 of 2 given)");
  expect_error("analyze merge p0.json p1.json all.json -o m2.json", 2, "not whole reports beside them");
  expect_error("analyze merge p0.json p1.json -o p0.json", 2, "is the input");
  expect_error("analyze " + stories() + " --corpus c.txt -q -o c.txt", 2, "expected NAME.json");
  EXPECT_FALSE(fs::exists(dir_ / "m2.json"));
  // Induction probe: one score per head, the best head named.
  r = run("analyze " + stories() + " --induction 20 --probes 2 -q -o ind.json");
  ASSERT_EQ(r.code, 0) << r.err;
  const json ind = report("ind.json")["induction"];
  EXPECT_EQ(ind["layers"].size(), 5u);
  EXPECT_EQ(ind["layers"][0]["induction_mass"].size(), 8u);
  EXPECT_GE(ind["best"]["induction_mass"].get<double>(), 0.0);
  // Faithfulness: one row per layer, Spearman correlations in [-1, 1], against leave-one-out
  // (attention, rollout, flow, the gradient methods and input gradients) and input gradients.
  r = run("analyze " + stories() + " --corpus c.txt --faithfulness -q -o f.json");
  ASSERT_EQ(r.code, 0) << r.err;
  const json f = report("f.json")["faithfulness"];
  ASSERT_EQ(f["layers"].size(), 5u);
  EXPECT_EQ(f["sentences"], 5);
  for (const auto& row : f["layers"])
    for (const char* k : {"raw", "rollout", "flow", "attention_norm", "grad_attention", "grad_rollout", "input_gradient"}) {
      ASSERT_TRUE(row[k].is_number()) << k << " " << row;
      EXPECT_LE(std::abs(row[k].get<double>()), 1.0);
    }
  ASSERT_EQ(f["input_gradient"]["layers"].size(), 5u);
  for (const auto& row : f["input_gradient"]["layers"])
    for (const char* k : {"raw", "rollout", "flow", "grad_rollout"}) ASSERT_TRUE(row[k].is_number()) << k << " " << row;
  // Attributions of one text: per token and per layer, the predicted token named.
  r = run("analyze " + stories() + " \"Once upon a time, there was a little girl\" --attributions -q -o at.json");
  ASSERT_EQ(r.code, 0) << r.err;
  const json at = report("at.json")["attributions"];
  const size_t T = at["tokens"].size();
  ASSERT_GE(T, 5u);
  EXPECT_EQ(at["query"], T - 1);
  EXPECT_EQ(at["input_gradient"].size(), T);
  EXPECT_EQ(at["grad_rollout"].size(), T);
  ASSERT_EQ(at["layers"].size(), 5u);
  EXPECT_EQ(at["layers"][4]["attention_norm"].size(), T);
  EXPECT_EQ(at["layers"][4]["head_gate_gradient"].size(), 8u);
  EXPECT_LT(at["logprob"].get<double>(), 0.0);
  expect_error("analyze x.attn.safetensors --faithfulness -o f2.json", 2, "--faithfulness runs a language model");
  // Head importance by ablation and by gradient: finite per layer x head, not all zero, and the
  // first-order estimate ranks heads as the ablation does.
  r = run("analyze " + stories() + " --corpus c.txt --head-importance -q -o h.json");
  ASSERT_EQ(r.code, 0) << r.err;
  const json hi = report("h.json")["head_importance"];
  EXPECT_EQ(hi["texts"], 5);
  ASSERT_EQ(hi["layers"].size(), 5u);
  ASSERT_EQ(hi["gradient"]["layers"].size(), 5u);
  std::vector<double> ablation, gradient;
  for (size_t l = 0; l < 5; ++l) {
    ASSERT_EQ(hi["layers"][l].size(), 8u);
    for (size_t h = 0; h < 8; ++h) {
      ablation.push_back(hi["layers"][l][h].get<double>());
      gradient.push_back(hi["gradient"]["layers"][l][h].get<double>());
    }
  }
  double total = 0;
  for (double v : ablation) total += std::abs(v);
  EXPECT_GT(total, 1e-4);
  EXPECT_GT(focus::spearman_rho(ablation, gradient), 0.8);
}

TEST_F(Analyze, AlignReproducesAwesomeAlignsPublishedAer) {
  const fs::path d = shared_data_path() / "word_alignment_gold";
  if (!fs::exists(d)) GTEST_SKIP() << "../shared/data is absent (gold alignments)";
  CmdResult r = run("analyze align --gold " + (d / "enfr.gold").string() + " --pred " + (d / "enfr.awesome-align.out").string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("aer=4.07 precision=96.27 recall=95.42", 0), 0u) << r.out;
  r = run("analyze align --gold " + (d / "roen.gold").string() + " --pred " + (d / "roen.awesome-align.out").string());
  EXPECT_EQ(r.out.rfind("aer=20.75 ", 0), 0u) << r.out;
}

TEST_F(Analyze, AlignCountsSureAndPossibleLinks) {
  // Gold (1-based): sure 1-1, possible 2p2. Prediction (0-based): 0-0 (sure hit), 1-1 (possible
  // hit), 2-0 (miss). AER = 1 - (1 + 2) / (3 + 1) = 25%; precision 2/3; recall 1/1.
  write("g.txt", "1-1 2p2\n");
  write("p.txt", "0-0 1-1 2-0\n");
  CmdResult r = run("analyze align --gold g.txt --pred p.txt");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("aer=25.00 precision=66.67 recall=100.00", 0), 0u) << r.out;
}

TEST_F(Analyze, BadInputIsOneLine) {
  write("g.txt", "1-1 2-x\n");
  write("p.txt", "0-0\n0-0\n");
  write("ok.txt", "1-1\n");
  expect_error("analyze align --gold g.txt --pred p.txt", 1, "g.txt:1: '2-x' is not a link");
  expect_error("analyze align --gold ok.txt --pred p.txt", 2, "has 1 lines but");
  expect_error("analyze align --gold ok.txt --pred nope.txt", 1, "nope.txt");
  write("empty.txt", "");  // aer=0.00 of nothing read as a perfect score
  expect_error("analyze align --gold empty.txt --pred empty.txt", 1, "holds no alignment line");
  fs::create_directories(dir_ / "adir");
  expect_error("analyze align --gold adir --pred adir", 1, "is a directory");
  write("zero.txt", "0-0\n");
  expect_error("analyze align --gold zero.txt --pred ok.txt --gold-base 1", 1, "indices from 1");
  expect_error("analyze", 2, "give a trace");
  // Issue 17 item 12: an escape sequence in a file name reaches the terminal only escaped.
  CmdResult esc = run("analyze \"$(printf 'x\\033[2J.attn.safetensors')\" -o r.json");
  EXPECT_EQ(esc.code, 1);
  EXPECT_EQ(esc.err.find('\x1b'), std::string::npos) << esc.err;
  EXPECT_NE(esc.err.find("\\x1b[2J"), std::string::npos) << esc.err;
  expect_error("analyze nope.attn.safetensors -o r.json", 1, "nope.attn.safetensors");
  write("junk.attn.safetensors", "not a trace");
  expect_error("analyze junk.attn.safetensors -o r.json", 1, "junk.attn.safetensors");
  expect_error("analyze x.attn.safetensors --query 1 -o r.json", 2, "--query picks a row of --flow");
  expect_error("analyze m --corpus c.txt --shard 2/2 -o r.json", 2, "--shard expects i/n");
  expect_error("analyze m \"text\" --corpus c.txt -o r.json", 2, "not both");
  expect_error("analyze m '  ' -o r.json", 2, "TEXT: empty input text");
  expect_error("analyze x.attn.safetensors -o nodir/r.json", 1, "does not exist");
  write("a.json", "{\"sums\": {\"sequences\": 1}}");
  expect_error("analyze merge a.json -o m.json", 2, "not an analyze report");
  EXPECT_FALSE(fs::exists(dir_ / "m.json"));
  EXPECT_FALSE(fs::exists(dir_ / "r.json"));
}

TEST_F(Analyze, RolloutNeedsSelfAttention) {
  // A translator's trace holds cross-attention only (source -> output): rollout has no stack.
  ASSERT_EQ(run("train translate --builtin dates --steps 3 --hidden 8 --embed 8 -q -o t.safetensors").code, 0);
  ASSERT_EQ(run("trace t.safetensors \"3 avril 1999\" -o x.attn.safetensors").code, 0);
  expect_error("analyze x.attn.safetensors --rollout -o r.json", 2, "rollout and flow need self-attention");
  // Without --rollout the cross-attention heads are measured.
  CmdResult r = run("analyze x.attn.safetensors -o r.json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(report("r.json")["layers"].empty());
}

}  // namespace
