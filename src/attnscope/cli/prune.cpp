// `attnscope prune MODEL --by ablation|gradient --calibrate FILE --data FILE`: head pruning by
// importance (models/head_pruning.h). Heads are ranked on the calibration texts (one per line),
// then each share of the least important ones is pruned — skipped by the compute — and the curve
// printed: quality and the fastest forward time. Imported language models: perplexity of the
// --data lines joined into one text (cut at the context). Trained Transformer translators: the
// built-in dates, calibration and held-out both from held_out_dates (never trained on), split.
#include <cstdio>
#include <memory>
#include <sstream>

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/focus/gradient_attribution.h"
#include "attnscope/models/head_pruning.h"
#include "attnscope/models/open_model.h"
#include "attnscope/models/pipeline.h"
#include "attnscope/models/translate/evaluate.h"

namespace attnscope::cli {

namespace {

struct PruneArgs {
  std::string model, by = "ablation", calibrate, data, tokenizer;
  std::vector<double> shares{0, 0.125, 0.25, 0.5, 0.75};
  int64_t calibrate_lines = 32, held_out = 500, repeats = 5;
  uint64_t seed = 0;
};

// Non-empty lines of a text file, at most max (0: all).
std::vector<std::string> lines_of(const std::string& path, int64_t max) {
  std::istringstream in(read_file(path));
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line) && (max <= 0 || static_cast<int64_t>(out.size()) < max);)
    if (line.find_first_not_of(" \t\r") != std::string::npos) out.push_back(line);
  if (out.empty()) throw ValueError(path + ": no text lines");
  return out;
}

void print_curve(const std::vector<models::PrunePoint>& curve, const char* quality) {
  const double base = curve.empty() ? 0 : curve.front().seconds;
  for (const auto& p : curve) {
    std::printf("share=%.1f%% pruned=%lld/%lld %s=", 100 * p.share, static_cast<long long>(p.pruned),
                static_cast<long long>(p.heads), quality);
    if (p.bleu >= 0) std::printf("%.1f%% bleu=%.2f", 100 * p.quality, p.bleu);
    else std::printf("%.4f", p.quality);
    std::printf(" ms=%.3f speedup=%.2fx\n", 1e3 * p.seconds, p.seconds > 0 ? base / p.seconds : 0.0);
  }
}

void run(const PruneArgs& a) {
  if (a.by != "ablation" && a.by != "gradient") throw ConfigError("prune: --by must be ablation or gradient");
  if (models::is_trained_checkpoint(a.model)) {
    if (a.by != "ablation") throw ConfigError("prune: trained translators are ranked by ablation only");
    models::Translator t = models::Translator::load(a.model);
    const int64_t n_cal = a.calibrate_lines;
    auto dates = models::held_out_dates(n_cal + a.held_out, a.seed);
    const std::vector<data::DateExample> cal(dates.begin(), dates.begin() + n_cal), eval(dates.begin() + n_cal, dates.end());
    const auto importance = models::translator_head_ablation(t, cal);
    std::printf("translator %s: %zu heads ranked by ablation on %lld calibration dates; %lld held-out dates\n",
                a.model.c_str(), importance.size(), static_cast<long long>(n_cal), static_cast<long long>(a.held_out));
    print_curve(models::translator_pruning_curve(t, eval, importance, a.shares, a.repeats), "exact");
    return;
  }
  if (a.calibrate.empty() || a.data.empty())
    throw ConfigError("prune: an imported model needs calibration texts and held-out data (files of lines)");
  std::vector<double> importance;
  {
    models::TextTracer tracer(a.model, attention::Keep::stats(), a.tokenizer);
    for (const auto& text : lines_of(a.calibrate, a.calibrate_lines)) {
      const auto ids = tracer.encode(text);
      if (ids.size() < 2) continue;
      std::vector<double> s;
      if (a.by == "ablation") s = tracer.head_ablation(ids);
      else
        for (const auto& layer : tracer.attribute_loss(ids).layers)
          for (double v : focus::head_gate_gradient(layer)) s.push_back(-v);  // first-order loss increase
      if (importance.empty()) importance.assign(s.size(), 0.0);
      for (size_t i = 0; i < s.size(); ++i) importance[i] += s[i];
    }
  }
  if (importance.empty()) throw ValueError("prune: no calibration line has 2 tokens or more");
  models::Pipeline p = models::open_pipeline(a.model, a.tokenizer);
  // The lines joined, cut at the context.
  std::string text;
  for (const auto& line : lines_of(a.data, 0)) text += (text.empty() ? "" : " ") + line;
  auto ids = p.tokenizer->encode(text, true, true);
  if (static_cast<int64_t>(ids.size()) > p.model->config().max_seq) ids.resize(p.model->config().max_seq);
  if (ids.size() < 2) throw ValueError("prune: the held-out text is shorter than 2 tokens");
  std::printf("%s: %zu heads ranked by %s on %s; held-out text of %zu tokens\n", a.model.c_str(), importance.size(),
              a.by.c_str(), a.calibrate.c_str(), ids.size());
  print_curve(models::text_pruning_curve(*p.model, ids, importance, a.shares, a.repeats), "perplexity");
}

void setup_prune(CLI::App& app) {
  auto a = std::make_shared<PruneArgs>();
  CLI::App* sub = app.add_subcommand("prune", "Prune the least important attention heads: quality and speed per share");
  sub->add_option("MODEL", a->model, "Imported language model, or a Transformer translator checkpoint")->required();
  sub->add_option("--by", a->by, "Importance: ablation (loss increase per removed head) or gradient (first-order)")
      ->check(CLI::IsMember({"ablation", "gradient"}));
  sub->add_option("--calibrate", a->calibrate, "Calibration texts, one per line (imported models)")->check(CLI::ExistingFile);
  add_data_flag(sub, a->data)->description("Held-out text, lines joined up to the context (imported models)");
  sub->add_option("--calibrate-lines", a->calibrate_lines, "Calibration lines (translators: dates) to use")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  sub->add_option("--held-out", a->held_out, "Held-out dates (translators)")->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  sub->add_option("--shares", a->shares, "Shares of heads to prune, comma-separated")
      ->delimiter(',')
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--repeats", a->repeats, "Timed runs per share (the fastest is printed)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000}));
  sub->add_option("--tokenizer", a->tokenizer, "Tokenizer file (default: found beside the model)");
  add_seed_flag(sub, a->seed);
  sub->callback([a] { run(*a); });
}

}  // namespace

}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_COMMAND(attnscope::cli::setup_prune);
