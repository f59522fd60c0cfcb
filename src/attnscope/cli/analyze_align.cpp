// `attnscope analyze align --gold G --pred P [--gold-base 1] [--pred-base 0]`: the corpus AER
// (Och & Ney 2003) of predicted word alignments against gold sure/possible links, both in the
// Pharaoh format (io/word_alignments.h). Prints `aer=NN.NN precision=NN.NN recall=NN.NN` (%).
#include <cstdio>
#include <memory>

#include "attnscope/cli/verb_parts.h"
#include "attnscope/core/error.h"
#include "attnscope/focus/alignment.h"
#include "attnscope/io/word_alignments.h"

namespace attnscope::cli {
namespace {

struct AlignArgs {
  std::string gold, pred;
  int gold_base = 1, pred_base = 0;
};

void run_align(const AlignArgs& a) {
  const auto gold = io::read_word_alignments(a.gold, a.gold_base);
  const auto pred = io::read_word_alignments(a.pred, a.pred_base);
  if (gold.empty()) throw ValueError("analyze align: '" + a.gold + "' holds no alignment line: nothing to score");
  if (gold.size() != pred.size())
    throw ConfigError("analyze align: '" + a.gold + "' has " + std::to_string(gold.size()) + " lines but '" + a.pred +
                      "' has " + std::to_string(pred.size()) + " (one line per sentence pair in both)");
  focus::AerCounts c;
  for (size_t i = 0; i < gold.size(); ++i) {
    focus::Links predicted = pred[i].sure;
    predicted.insert(pred[i].possible.begin(), pred[i].possible.end());  // a prediction is a prediction
    c.add(predicted, gold[i].sure, gold[i].possible);
  }
  std::printf("aer=%.2f precision=%.2f recall=%.2f\n", 100.0 * c.aer(), 100.0 * c.precision(), 100.0 * c.recall());
  std::printf("sentences=%zu predicted=%lld sure=%lld\n", gold.size(), static_cast<long long>(c.predicted),
              static_cast<long long>(c.sure));
}

void setup_align(CLI::App& analyze) {
  CLI::App* sub = analyze.add_subcommand("align", "AER of predicted word alignments against a gold file (Pharaoh i-j / ipj)");
  auto a = std::make_shared<AlignArgs>();
  sub->add_option("--gold", a->gold, "Gold alignments: sure i-j and possible ipj links, one line per pair")->required();
  sub->add_option("--pred", a->pred, "Predicted alignments, one line per pair")->required();
  sub->add_option("--gold-base", a->gold_base, "First index in the gold file (most gold sets count from 1)")
      ->check(CLI::IsMember({0, 1}));
  sub->add_option("--pred-base", a->pred_base, "First index in the predictions (aligners count from 0)")
      ->check(CLI::IsMember({0, 1}));
  sub->callback([a] { run_align(*a); });
}

}  // namespace
}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_VERB_PART("analyze", attnscope::cli::setup_align);
