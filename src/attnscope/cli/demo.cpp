// `attnscope demo` (what `make demo` runs): trains the built-in date translator (an RNN
// encoder-decoder with additive attention) from scratch, prints translations with the source
// tokens each output character attended to most, the held-out exact match and alignment
// accuracy, and writes demo-out/: heatmap (PNG, SVG), token-by-token GIF, focus-over-training
// GIF, the trace, a standalone viewer HTML, and a README saying what each file shows.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/cli/trace_outputs.h"
#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/core/parallel.h"
#include "attnscope/data/dates.h"
#include "attnscope/data/utf8.h"
#include "attnscope/focus/selection.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/models/translate/evaluate.h"
#include "attnscope/nn/loss_curve.h"
#include "attnscope/train/tasks/translate_task.h"
#include "attnscope/train/trainer.h"
#include "attnscope/viz/animate_trace.h"

namespace attnscope::cli {
namespace {

struct DemoFlags {
  std::string out = "demo-out";
  uint64_t seed = 1;
  int64_t steps = 1500;
  bool quiet = false;
};

// Texts the demo translates and suggests, written by the generator itself (data::date_in_format),
// so they are always in the training distribution (a hand-typed "24 déc 2001" was not: the model
// answered 2001-01-24).
std::vector<std::string> examples() {
  using data::DateFormat;
  std::vector<std::string> out;
  for (DateFormat f : {DateFormat::en_weekday_short, DateFormat::dmy_slash_yy, DateFormat::en_month_ordinal,
                       DateFormat::fr, DateFormat::cjk})
    out.push_back(data::date_in_format(1999, 4, 3, f).text);
  out.push_back(data::date_in_format(2023, 12, 25, DateFormat::en_weekday_long).text);
  return out;
}
std::string pictured() { return data::date_in_format(1999, 4, 3, data::DateFormat::fr).text; }
std::string suggestion() { return data::date_in_format(2004, 6, 17, data::DateFormat::fr).text; }

// "1←1999 ..." : each output token with the source token it attended to most.
std::string attended_line(const io::Trace& trace) {
  int64_t T = 0, N = 0;
  const auto m = models::cross_attention_matrix(trace, &T, &N);
  const auto* src = trace.find_sequence("source");
  const auto* tgt = trace.find_sequence("target");
  std::string line;
  for (int64_t t = 0; t + 1 < T && src && tgt; ++t) {  // the last query produced <eos>
    int64_t best = 0;
    for (int64_t n = 1; n < N; ++n)
      if (m[t * N + n] > m[t * N + best]) best = n;
    line += " " + tgt->tokens[t] + "←" + src->tokens[best];
  }
  return line;
}

std::string readme(const std::string& dir) {
  return R"(# attnscope demo output

A small RNN encoder-decoder with additive (Bahdanau) attention learned to rewrite dates written
in many formats and languages as ISO dates. These files show where it looks.

| file | what it shows |
|---|---|
| `heatmap.png`, `heatmap.svg` | the attention matrix for ")" + pictured() + R"(": one row per output character, one column per input token; bright = attended |
| `attention.gif` | the same sentence token by token: as each output character is written, lines run to the input tokens it attends to (width and colour = weight) |
| `focus.gif` | focus across training: the attention of one held-out date at successive training steps, from diffuse to sharp |
| `dates.attn.safetensors` | the attention trace (docs/TRACE_FORMAT.md); open it with `attnscope view`, `render`, `animate`, `show` |
| `focus.attn.safetensors` | the training snapshots (`attnscope animate focus.attn.safetensors --training -o out.gif`) |
| `viewer.html` | the interactive viewer as one offline file: open it in a browser |
| `dates.ckpt.safetensors` | the trained model: `attnscope translate --model )" + dir + R"(dates.ckpt.safetensors ")" + suggestion() + R"("` |
)";
}

void run(const DemoFlags& f) {
  // The date model's GEMMs are tiny: one thread is fastest, and immune to a busy machine
  // (2 OpenMP threads on 2 busy cores were measured 25x slower). --threads overrides.
  if (!num_threads_explicit()) set_num_threads(1);
  std::error_code ec;
  std::filesystem::create_directories(f.out, ec);
  if (ec || !std::filesystem::is_directory(f.out))
    throw IoError("demo: cannot make the output folder '" + f.out + "'" + (ec ? ": " + ec.message() : ""));
  const std::string dir = f.out + "/";
  std::printf("attnscope demo: an RNN encoder-decoder with additive attention learns to normalize dates\n"
              "(\"sat 3 april 1999\", \"03/04/99\", \"3 avril 1999\", \"1999年4月3日\" -> 1999-04-03), seed %llu\n\n",
              static_cast<unsigned long long>(f.seed));
  train::Settings settings(train::translate_settings());
  settings.set("builtin", "dates");
  settings.set("embed", "32");
  settings.set("hidden", "64");
  train::TranslateTask task(settings, f.seed);
  train::TrainerOptions o = train::translate_defaults(settings);
  o.steps = f.steps;
  o.seed = f.seed;
  o.eval_every = 500;
  o.focus_every = std::max<int64_t>(1, f.steps / 30);
  o.focus_output = dir + "focus.attn.safetensors";
  o.output = dir + "dates.ckpt.safetensors";
  o.quiet = f.quiet;
  const train::TrainResult res = train::run_training(task, o);
  std::printf("%s\n", nn::ascii_loss_plot(res.losses).c_str());
  std::printf("trained %lld steps in %.1f s\n\n", static_cast<long long>(res.steps), res.seconds);
  models::Translator& t = task.translator();

  std::printf("translations (each output character <- the input token it attended to most):\n");
  for (const std::string& text : examples()) {
    io::Trace tr = t.trace(text);
    const std::string pad(28 - std::min<size_t>(28, data::utf8_display_width(text)), ' ');  // CJK is 2 columns
    std::printf("  %s%s -> %s\n     %s\n", text.c_str(), pad.c_str(), tr.meta["target_text"].c_str(), attended_line(tr).c_str());
  }
  const auto ev = models::evaluate_dates(t, task.held_out(), {});
  std::printf("\ndates: exact=%.1f%% alignment=%.1f%% held-out=%lld\n\n", 100 * ev.exact, 100 * ev.alignment,
              static_cast<long long>(ev.n));

  io::Trace trace = t.trace(pictured());
  TraceOutputs outs;
  outs.trace = dir + "dates.attn.safetensors";
  outs.png = dir + "heatmap.png";
  outs.svg = dir + "heatmap.svg";
  outs.gif = dir + "attention.gif";
  outs.html = dir + "viewer.html";
  write_trace_outputs(trace, outs);
  const int64_t layer = focus::resolve_layer(res.focus, "-1");
  viz::TrainingAnimationOptions to;
  to.seconds_per_frame = 0.25;
  viz::write_snapshot_animation(res.focus, layer, focus::resolve_head(res.focus.layers[layer], "mean"), to, 4,
                                dir + "focus.gif");
  std::fprintf(stderr, "wrote %sfocus.gif (%zu snapshots)\n", dir.c_str(), res.focus.snapshots.size());
  write_file_atomic(dir + "README.md", readme(dir));
  std::printf("pictures, trace, model and viewer are in %s (see %sREADME.md)\n", f.out.c_str(), dir.c_str());
  std::printf("open the interactive viewer:  attnscope view %sdates.attn.safetensors --open\n", dir.c_str());
  std::printf("translate your own date:      attnscope translate --model %sdates.ckpt.safetensors \"%s\"\n", dir.c_str(),
              suggestion().c_str());
}

void setup_demo(CLI::App& app) {
  auto* sub = app.add_subcommand("demo", "Train the built-in date translator and show where it looks (writes demo-out/)");
  auto f = std::make_shared<DemoFlags>();
  add_output_flag(sub, f->out, false)->description("Output directory (default demo-out)");
  add_seed_flag(sub, f->seed);
  sub->add_option("--steps", f->steps, "Training steps (default 1500)")->check(in_range(1, 1000000));
  sub->add_flag("-q,--quiet", f->quiet, "No progress bar");
  sub->callback([f] { run(*f); });
}

ATTNSCOPE_REGISTER_COMMAND(setup_demo);

}  // namespace
}  // namespace attnscope::cli
