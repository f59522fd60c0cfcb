// `attnscope run MODEL "text"`: tokens, then next-token top-5 (language models) or class
// probabilities (classifiers); a checkpoint of `attnscope train` prints its translation or
// label; --perplexity prints "perplexity=X tokens=N" (N counts BOS). With --window W the text
// may exceed the context: a bounded cache of --sinks S first tokens plus the W most recent
// (StreamingLLM; --sinks auto picks S by the sink analysis, focus/sink_tokens.h), or with
// --recompute each token predicted from its W predecessors run from scratch (the reference);
// the line then adds tokens_per_s (CPU time).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/cli/view.h"
#include "attnscope/core/error.h"
#include "attnscope/models/generate.h"
#include "attnscope/models/open_model.h"
#include "attnscope/focus/sink_tokens.h"
#include "attnscope/models/pipeline.h"
#include "attnscope/models/sliding_window.h"

namespace attnscope::cli {

namespace {

struct RunArgs {
  std::string model, text, tokenizer;
  bool perplexity = false, recompute = false;
  int64_t window = 0;
  std::string sinks = "0";
  int64_t top = 5;
  bool view = false;
  attention::Keep capture = attention::Keep::dense();
  ViewFlags view_flags;
};

void run(const RunArgs& a) {
  if (models::is_trained_checkpoint(a.model)) {
    if (a.perplexity) throw ConfigError("run: --perplexity is for language models; this is a trained task model");
    const models::TrainedRun r = models::run_trained(a.model, a.text, a.capture);
    for (const auto& line : r.lines) std::printf("%s\n", line.c_str());
    if (a.view) view_trace(r.trace, a.view_flags);
    return;
  }
  if ((a.window > 0 || a.recompute) && !a.perplexity) throw ConfigError("run: a window is for perplexity; add --perplexity");
  if (a.recompute && a.window < 1) throw ConfigError("run: recomputing needs a window of at least 1 token");
  models::Pipeline p = models::open_pipeline(a.model, a.tokenizer);
  // A window lets the text run past the context.
  const auto ids = a.window > 0 ? p.tokenizer->encode(a.text, true, true) : models::encode_input(p, a.text);
  const auto& c = p.model->config();
  std::printf("model: %s, %lld layers, %lld heads (%lld kv), dim %lld, vocab %lld, context %lld\n",
              models::arch_name(c.arch), static_cast<long long>(c.n_layers), static_cast<long long>(c.n_heads),
              static_cast<long long>(c.n_kv_heads), static_cast<long long>(c.dim), static_cast<long long>(c.vocab),
              static_cast<long long>(c.max_seq));
  std::printf("tokens (%zu):", ids.size());
  for (int32_t id : ids) std::printf(" [%d %s]", id, p.tokenizer->display(id).c_str());
  std::printf("\n");
  if (a.perplexity && a.window > 0) {
    int64_t sinks = 0;
    if (a.sinks == "auto") {
      // The sink analysis on the text's first context-full of tokens: leading keys' mass.
      const int64_t n = std::min<int64_t>(static_cast<int64_t>(ids.size()), c.max_seq);
      attention::Recorder rec(attention::Keep::dense());
      p.model->reset();
      p.model->forward(std::span<const int32_t>(ids).first(n), &rec);
      const auto tr = models::make_trace(p, std::vector<int32_t>(ids.begin(), ids.begin() + n), rec, "");
      const auto mass = focus::leading_key_mass(tr, 8, std::min<int64_t>(n - 1, 16));
      sinks = focus::sink_count(mass);
      std::printf("sinks=%lld (attention mass on the first 8 keys:", static_cast<long long>(sinks));
      for (double m : mass) std::printf(" %.3f", m);
      std::printf(")\n");
    } else {
      sinks = std::stoll(a.sinks);
    }
    if (!a.recompute) p.model->stream_cache(sinks, a.window);
    const std::clock_t t0 = std::clock();
    const auto r = a.recompute ? models::sliding_window_perplexity(*p.model, ids, a.window) : models::perplexity(*p.model, ids);
    const double s = static_cast<double>(std::clock() - t0) / CLOCKS_PER_SEC;
    std::printf("perplexity=%.6f tokens=%lld tokens_per_s=%.1f %s\n", r.perplexity, static_cast<long long>(r.tokens),
                static_cast<double>(r.tokens - 1) / std::max(s, 1e-9),
                a.recompute ? ("recompute_window=" + std::to_string(a.window)).c_str()
                            : ("cache=" + std::to_string(sinks) + "+" + std::to_string(a.window)).c_str());
    return;
  }
  if (a.perplexity) {
    const auto r = models::perplexity(*p.model, ids);
    std::printf("perplexity=%.6f tokens=%lld\n", r.perplexity, static_cast<long long>(r.tokens));
    return;
  }
  std::unique_ptr<attention::Recorder> capture;
  if (a.view) capture = std::make_unique<attention::Recorder>(a.capture);
  p.model->reset();
  const models::ModelOutput out = p.model->forward(ids, capture.get());
  if (out.kind == models::ModelOutput::Kind::token_logits) {
    // One rule for every k past what there is (as top-k capture): clamp and say so.
    const int64_t top = std::min<int64_t>(a.top, out.cols);
    if (top < a.top)
      std::fprintf(stderr, "note: --top %lld is more than the vocabulary: showing all %lld tokens\n",
                   static_cast<long long>(a.top), static_cast<long long>(top));
    std::printf("next-token top-%lld:\n", static_cast<long long>(top));
    const auto last = std::span<const float>(out.values).subspan((out.rows - 1) * out.cols, out.cols);
    for (const auto& [id, prob] : models::top_k_probs(last, top))
      std::printf("  %-6d %-16s %.4f\n", id, ("'" + p.tokenizer->display(id) + "'").c_str(), prob);
  } else if (out.kind == models::ModelOutput::Kind::class_logits) {
    std::printf("class probabilities:\n");
    const auto probs = models::top_k_probs(out.values, out.cols);
    for (const auto& [id, prob] : probs) std::printf("  %-16s %.4f\n", c.labels[id].c_str(), prob);
  } else {
    std::printf("hidden states [%lld, %lld] (no classification head in this checkpoint)\n",
                static_cast<long long>(out.rows), static_cast<long long>(out.cols));
  }
  if (a.view) view_trace(models::make_trace(p, ids, *capture, a.text), a.view_flags);
}

void setup_run(CLI::App& app) {
  auto a = std::make_shared<RunArgs>();
  CLI::App* sub = app.add_subcommand("run", "Run a pretrained model on a text (tokens, top-5 or class probabilities)");
  sub->add_option("MODEL", a->model, "Model directory or file (HF dir, .safetensors, .gguf, llama2.c .bin)")->required();
  sub->add_option("TEXT", a->text, "Input text")->required();
  sub->add_option("--tokenizer", a->tokenizer, "Tokenizer file (default: found beside the model)");
  sub->add_flag("--perplexity", a->perplexity, "Print teacher-forced perplexity: perplexity=X tokens=N");
  sub->add_option("--window", a->window, "With --perplexity: a bounded cache of the W most recent tokens (text may exceed the context)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  sub->add_option("--sinks", a->sinks, "With --window: also keep the first S tokens (StreamingLLM), or auto (sink analysis)")
      ->check([](const std::string& v) {
        return v == "auto" || (!v.empty() && v.size() < 7 && v.find_first_not_of("0123456789") == std::string::npos)
                   ? std::string{}
                   : std::string("--sinks takes a count or auto");
      });
  sub->add_flag("--recompute", a->recompute, "With --window: recompute each token's window from scratch (the reference)");
  sub->add_option("--top", a->top, "How many next-token candidates to show")->check(at_least(1));
  CLI::Option* view = sub->add_flag("--view", a->view, "Capture attention and open the viewer on it");
  add_capture_flag(sub, a->capture)->needs(view);  // what to capture only matters to the viewer
  add_view_flags(sub, a->view_flags, view);
  sub->callback([a] { run(*a); });
}

}  // namespace

}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_COMMAND(attnscope::cli::setup_run);
