// `attnscope run MODEL "text"`: tokens, then next-token top-5 (language models) or class
// probabilities (classifiers); a checkpoint of `attnscope train` prints its translation or
// label; --perplexity prints "perplexity=X tokens=N" (N counts BOS).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/cli/view.h"
#include "attnscope/core/error.h"
#include "attnscope/models/generate.h"
#include "attnscope/models/open_model.h"
#include "attnscope/models/pipeline.h"

namespace attnscope::cli {

namespace {

struct RunArgs {
  std::string model, text, tokenizer;
  bool perplexity = false;
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
  models::Pipeline p = models::open_pipeline(a.model, a.tokenizer);
  const auto ids = models::encode_input(p, a.text);
  const auto& c = p.model->config();
  std::printf("model: %s, %lld layers, %lld heads (%lld kv), dim %lld, vocab %lld, context %lld\n",
              models::arch_name(c.arch), static_cast<long long>(c.n_layers), static_cast<long long>(c.n_heads),
              static_cast<long long>(c.n_kv_heads), static_cast<long long>(c.dim), static_cast<long long>(c.vocab),
              static_cast<long long>(c.max_seq));
  std::printf("tokens (%zu):", ids.size());
  for (int32_t id : ids) std::printf(" [%d %s]", id, p.tokenizer->display(id).c_str());
  std::printf("\n");
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

void setup(CLI::App& app) {
  auto a = std::make_shared<RunArgs>();
  CLI::App* sub = app.add_subcommand("run", "Run a pretrained model on a text (tokens, top-5 or class probabilities)");
  sub->add_option("MODEL", a->model, "Model directory or file (HF dir, .safetensors, .gguf, llama2.c .bin)")->required();
  sub->add_option("TEXT", a->text, "Input text")->required();
  sub->add_option("--tokenizer", a->tokenizer, "Tokenizer file (default: found beside the model)");
  sub->add_flag("--perplexity", a->perplexity, "Print teacher-forced perplexity: perplexity=X tokens=N");
  sub->add_option("--top", a->top, "How many next-token candidates to show")->check(at_least(1));
  CLI::Option* view = sub->add_flag("--view", a->view, "Capture attention and open the viewer on it");
  add_capture_flag(sub, a->capture)->needs(view);  // what to capture only matters to the viewer
  add_view_flags(sub, a->view_flags, view);
  sub->callback([a] { run(*a); });
}

}  // namespace

}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_COMMAND(attnscope::cli::setup);
