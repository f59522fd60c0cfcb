// `attnscope train translate [--data FILE | --builtin dates] [--model rnn|transformer]
//  [--attention additive|dot|general|local|hard|none] ...`: trains a translator with a progress bar,
// periodic validation, atomic checkpoints (-o), --resume, and --focus-every N snapshots.
#include <cstdio>
#include <memory>

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/models/translate/train_translate.h"
#include "attnscope/nn/loss_curve.h"

namespace attnscope::cli {
namespace {

struct Flags {
  models::TranslateTrainOptions opt;
  std::string builtin, cell = "gru", attention = "additive", positions = "sinusoidal", focus_out, test_out;
  int64_t hidden = 0, embed = 0, layers = 0, heads = 0, ff = 0, window = 0;
  double dropout = -1;
};

void run(Flags& f) {
  auto& o = f.opt;
  if (!f.builtin.empty()) {
    if (f.builtin != "dates") throw ConfigError("--builtin: only 'dates' is built in");
    if (o.data != "dates" && !o.data.empty()) throw ConfigError("give either --data or --builtin, not both");
    o.data = "dates";
  }
  if (o.data.empty()) o.data = "dates";
  nlohmann::json& m = o.model_config;
  if (o.kind == "rnn") {
    m["cell"] = f.cell;
    m["attention"] = f.attention;
    if (f.window > 0) m["window"] = f.window;
  } else {
    m["positions"] = f.positions;
    if (f.heads > 0) m["heads"] = f.heads;
    if (f.layers > 0) m["layers"] = f.layers;
    if (f.ff > 0) m["ff"] = f.ff;
  }
  if (f.hidden > 0) m["hidden"] = f.hidden;
  if (f.embed > 0) m["embed"] = f.embed;
  if (f.dropout >= 0) m["dropout"] = f.dropout;
  if (o.focus_every > 0 && f.focus_out.empty()) f.focus_out = o.output.empty() ? "focus.attn.safetensors" : o.output + ".focus.attn.safetensors";

  if (!f.test_out.empty() && o.data == "dates")
    throw ConfigError("--test-out: the built-in dates have no test file (eval translate --builtin dates generates them)");
  auto res = models::train_translation(o);
  std::printf("%s", nn::ascii_loss_plot(res.losses).c_str());
  std::printf("trained %lld steps in %.1f s (%.0f target tokens/s); loss %.4f -> %.4f\n",
              static_cast<long long>(res.steps), res.seconds, res.tokens_per_second, res.losses.front(),
              res.losses.back());
  if (!res.valid_losses.empty()) std::printf("valid loss: %.4f\n", res.valid_losses.back().second);
  models::Translator& t = *res.translator;
  if (o.data == "dates") {
    auto ev = models::evaluate_dates(t, res.held_out, {});
    std::printf("dates: exact=%.1f%% alignment=%.1f%% held-out=%lld\n", 100 * ev.exact, 100 * ev.alignment,
                static_cast<long long>(ev.n));
  } else if (!res.test.empty()) {
    auto ev = models::evaluate_pairs(t, res.test, {});
    std::printf("test: BLEU=%.2f chrF=%.2f exact=%.1f%% sentences=%lld\n", ev.bleu, ev.chrf, 100 * ev.exact,
                static_cast<long long>(ev.n));
  }
  if (!f.test_out.empty()) {
    std::string tsv;
    for (const auto& p : res.test) tsv += p.source + "\t" + p.target + "\n";
    write_file_atomic(f.test_out, tsv);
    std::printf("test pairs: %s (%zu; attnscope eval translate --model CKPT --data %s)\n", f.test_out.c_str(),
                res.test.size(), f.test_out.c_str());
  }
  if (!o.output.empty()) std::printf("checkpoint: %s\n", o.output.c_str());
  if (o.focus_every > 0 && !res.focus.snapshots.empty()) {
    io::write_trace(res.focus, f.focus_out);
    std::printf("focus snapshots: %s (%zu; animate with `attnscope animate %s --training -o focus.gif`)\n",
                f.focus_out.c_str(), res.focus.snapshots.size(), f.focus_out.c_str());
  }
}

void setup(CLI::App& app) {
  CLI::App* train = nullptr;
  try {
    train = app.get_subcommand("train");
  } catch (const CLI::OptionNotFound&) {
    train = app.add_subcommand("train", "Train a model on a task (checkpoints with -o, resume with --resume)");
  }
  auto* sub = train->add_subcommand("translate", "Train a translation model with attention (built-in dates or your parallel text)");
  auto f = std::make_shared<Flags>();
  auto& o = f->opt;
  o.data.clear();
  add_data_flag(sub, o.data)->description("Parallel text: TSV source<TAB>target, or SRC_FILE,TGT_FILE (line-aligned)");
  sub->add_option("--builtin", f->builtin, "Built-in task: dates");
  sub->add_option("--model", o.kind, "Architecture: rnn or transformer")->check(CLI::IsMember({"rnn", "transformer"}));
  sub->add_option("--attention", f->attention,
                  "RNN attention: additive, dot, general, local (Luong local-p), hard (Gumbel straight-through), none")
      ->check(CLI::IsMember({"additive", "dot", "general", "local", "hard", "none"}));
  sub->add_option("--window", f->window, "Local attention: half width D of the window (default 4)")
      ->check(CLI::Range(1, 1024));
  sub->add_option("--cell", f->cell, "RNN cell: gru or lstm")->check(CLI::IsMember({"gru", "lstm"}));
  sub->add_option("--positions", f->positions, "Transformer positions: sinusoidal, learned, alibi")
      ->check(CLI::IsMember({"sinusoidal", "learned", "alibi"}));
  sub->add_option("--hidden", f->hidden, "Model width (RNN 128; Transformer 128, 64 on dates)")->check(CLI::PositiveNumber);
  sub->add_option("--embed", f->embed, "Embedding width (RNN)")->check(CLI::PositiveNumber);
  sub->add_option("--layers", f->layers, "Transformer layers")->check(CLI::PositiveNumber);
  sub->add_option("--heads", f->heads, "Transformer heads")->check(CLI::PositiveNumber);
  sub->add_option("--ff", f->ff, "Transformer feed-forward width (default 4 x hidden)")->check(CLI::PositiveNumber);
  sub->add_option("--dropout", f->dropout, "Dropout")->check(CLI::Range(0.0, 0.9));
  sub->add_option("--source-tokens", o.source_mode, "Source tokenization: word, char, dates")
      ->check(CLI::IsMember({"word", "char", "dates"}));
  sub->add_option("--target-tokens", o.target_mode, "Target tokenization: word, char, dates")
      ->check(CLI::IsMember({"word", "char", "dates"}));
  sub->add_option("--max-pairs", o.max_pairs, "Read at most this many pairs (0: all)")->check(CLI::NonNegativeNumber);
  sub->add_option("--max-len", o.max_len, "Drop pairs longer than this (tokens)")->check(CLI::PositiveNumber);
  sub->add_option("--min-freq", o.min_freq, "Vocabulary: minimum count")->check(CLI::PositiveNumber);
  sub->add_option("--max-vocab", o.max_vocab, "Vocabulary: at most this many words per side (most frequent)")
      ->check(CLI::Range(int64_t{5}, int64_t{1} << 24));
  sub->add_option("--steps", o.steps, "Training steps (default 2000; 800 for the Transformer on dates)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--batch", o.batch, "Sentences per batch")->check(CLI::Range(1, 4096));
  sub->add_option("--lr", o.lr, "Peak learning rate")->check(CLI::Range(1e-6, 1.0));
  sub->add_option("--warmup", o.warmup, "Warm-up steps")->check(CLI::NonNegativeNumber);
  sub->add_option("--schedule", o.schedule, "cosine, inverse_sqrt or constant")
      ->check(CLI::IsMember({"cosine", "inverse_sqrt", "constant"}));
  sub->add_option("--label-smoothing", o.label_smoothing, "Label smoothing")->check(CLI::Range(0.0, 0.5));
  sub->add_option("--time-limit", o.time_limit, "Stop after this many seconds")->check(CLI::NonNegativeNumber);
  sub->add_option("--eval-every", o.eval_every, "Validate and checkpoint every N steps")->check(CLI::PositiveNumber);
  sub->add_option("--focus-every", o.focus_every, "Save an attention snapshot every N steps")->check(CLI::NonNegativeNumber);
  sub->add_option("--focus-out", f->focus_out, "Where to write the snapshots (a trace file)");
  sub->add_option("--test-out", f->test_out, "Write the held-out test pairs (TSV) for `eval translate`");
  add_output_flag(sub, o.output, false)->description("Checkpoint to write (.safetensors)");
  sub->add_option("--resume", o.resume, "Checkpoint to resume from (same loss curve)")->check(CLI::ExistingFile);
  add_seed_flag(sub, o.seed);
  sub->add_flag("-q,--quiet", o.quiet, "No progress bar");
  sub->callback([f] { run(*f); });
}

ATTNSCOPE_REGISTER_COMMAND(setup);

}  // namespace
}  // namespace attnscope::cli
