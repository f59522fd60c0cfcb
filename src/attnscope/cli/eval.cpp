// `attnscope eval translate --model CKPT --data FILE [--builtin dates]`: BLEU (sacreBLEU-
// compatible corpus BLEU, 13a), chrF and exact match; for the date task, alignment accuracy
// against the gold alignments too.
#include <cstdio>
#include <memory>

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/core/error.h"
#include "attnscope/data/parallel_text.h"
#include "attnscope/models/translate/train_translate.h"

namespace attnscope::cli {
namespace {

struct Flags {
  std::string model, data, builtin;
  int64_t max_pairs = 0, n = 1000;
  int beam = 1;
  uint64_t seed = 1;
};

void run(const Flags& f) {
  models::Translator t = models::Translator::load(f.model);
  models::DecodeOptions d;
  d.beam = f.beam;
  if (f.builtin == "dates" || (f.data.empty() && f.builtin.empty())) {
    auto ev = models::evaluate_dates(t, models::held_out_dates(f.n, f.seed), d);
    std::printf("dates: exact=%.1f%% alignment=%.1f%% held-out=%lld\n", 100 * ev.exact, 100 * ev.alignment,
                static_cast<long long>(ev.n));
    return;
  }
  if (!f.builtin.empty()) throw ConfigError("--builtin: only 'dates' is built in");
  const size_t comma = f.data.find(',');
  auto pairs = comma != std::string::npos ? data::read_line_pairs(f.data.substr(0, comma), f.data.substr(comma + 1), f.max_pairs)
                                          : data::read_tsv(f.data, f.max_pairs);
  auto ev = models::evaluate_pairs(t, pairs, d);
  std::printf("BLEU=%.2f chrF=%.2f exact=%.1f%% sentences=%lld\n", ev.bleu, ev.chrf, 100 * ev.exact,
              static_cast<long long>(ev.n));
}

void setup(CLI::App& app) {
  CLI::App* eval = nullptr;
  try {
    eval = app.get_subcommand("eval");
  } catch (const CLI::OptionNotFound&) {
    eval = app.add_subcommand("eval", "Evaluate a trained model on a task");
    eval->require_subcommand(1);
  }
  auto* sub = eval->add_subcommand("translate", "BLEU, chrF, exact match (and alignment accuracy on dates)");
  auto f = std::make_shared<Flags>();
  add_model_flag(sub, f->model);
  add_data_flag(sub, f->data)->description("TSV source<TAB>target, or SRC_FILE,TGT_FILE");
  sub->add_option("--builtin", f->builtin, "Built-in task: dates (1,000 held-out dates by default)");
  sub->add_option("-n", f->n, "Held-out dates to generate")->check(CLI::Range(1, 1000000));
  sub->add_option("--max-pairs", f->max_pairs, "Evaluate at most this many pairs")->check(CLI::NonNegativeNumber);
  sub->add_option("--beam", f->beam, "Beam size (1 = greedy)")->check(CLI::Range(1, 64));
  add_seed_flag(sub, f->seed);
  sub->callback([f] { run(*f); });
}

ATTNSCOPE_REGISTER_COMMAND(setup);

}  // namespace
}  // namespace attnscope::cli
