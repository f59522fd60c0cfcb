// `attnscope generate MODEL "prompt" [--max-tokens N] [--temperature T] [--top-k K] [--seed S]`:
// streams tokens as they are produced.
#include <algorithm>
#include <cstdio>
#include <memory>

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/cli/view.h"
#include "attnscope/core/error.h"
#include "attnscope/models/generate.h"
#include "attnscope/models/pipeline.h"

namespace attnscope::cli {

namespace {

struct GenerateArgs {
  std::string model, prompt, tokenizer;
  int64_t max_tokens = 128;
  float temperature = 0.0f;
  int64_t top_k = 0;
  uint64_t seed = 0;
  bool no_stop = false;
  bool view = false;
  attention::Keep capture = attention::Keep::dense();
  ViewFlags view_flags;
};

void run(const GenerateArgs& a) {
  models::Pipeline p = models::open_pipeline(a.model, a.tokenizer);
  const auto ids = models::encode_input(p, a.prompt);
  // Generation stops where the context ends (models::generate): say so rather than stop short.
  const int64_t room = p.model->config().max_seq - static_cast<int64_t>(ids.size()) + 1;
  if (a.max_tokens > room)
    std::fprintf(stderr, "note: --max-tokens %lld: the context holds %lld tokens, so at most %lld follow the prompt's %zu\n",
                 static_cast<long long>(a.max_tokens), static_cast<long long>(p.model->config().max_seq),
                 static_cast<long long>(std::max<int64_t>(0, room)), ids.size());
  models::SamplingOptions opt;
  opt.temperature = a.temperature;
  opt.top_k = a.top_k;
  opt.seed = a.seed;
  std::fputs(a.prompt.c_str(), stdout);
  std::fflush(stdout);
  int32_t prev = ids.back();
  const int32_t stop = a.no_stop ? -1 : p.tokenizer->specials().eos;
  // --view: capture every step, then open the viewer on the generation (it plays step by step).
  std::unique_ptr<attention::Recorder> capture;
  if (a.view) capture = std::make_unique<attention::Recorder>(a.capture);
  const auto out = models::generate(*p.model, ids, a.max_tokens, opt, stop, [&](int32_t id) {
    if (id != stop) std::fputs(p.tokenizer->decode_step(prev, id).c_str(), stdout);
    std::fflush(stdout);
    prev = id;
    return true;
  }, capture.get());
  std::fputs("\n", stdout);
  if (a.view) view_trace(models::generation_trace(p, ids, out, *capture, a.prompt), a.view_flags);
}

void setup_generate(CLI::App& app) {
  auto a = std::make_shared<GenerateArgs>();
  CLI::App* sub = app.add_subcommand("generate", "Generate text with a pretrained language model (streams tokens)");
  sub->add_option("MODEL", a->model, "Model directory or file (HF dir, .safetensors, .gguf, llama2.c .bin)")->required();
  sub->add_option("PROMPT", a->prompt, "Prompt text (may be empty)")->required();
  sub->add_option("--tokenizer", a->tokenizer, "Tokenizer file (default: found beside the model)");
  sub->add_option("--max-tokens", a->max_tokens, "New tokens to generate")->check(at_least(1));
  sub->add_option("--temperature", a->temperature, "0 = greedy; > 0 samples")->check(at_least(0));
  sub->add_option("--top-k", a->top_k, "Sample among the K most likely (0 = all)")->check(at_least(0));
  add_seed_flag(sub, a->seed);
  sub->add_flag("--no-stop", a->no_stop, "Do not stop at the end-of-sequence token");
  CLI::Option* view = sub->add_flag("--view", a->view, "Capture attention and open the viewer on the generation (plays step by step)");
  add_capture_flag(sub, a->capture)->needs(view);  // what to capture only matters to the viewer
  add_view_flags(sub, a->view_flags, view);
  sub->callback([a] { run(*a); });
}

}  // namespace

}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_COMMAND(attnscope::cli::setup_generate);
