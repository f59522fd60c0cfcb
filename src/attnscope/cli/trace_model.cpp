// `attnscope trace MODEL "text" -o OUT.attn.safetensors [--capture dense|topk:K|stats]
// [--generate N | --pair "second sentence"]`: runs a pretrained model and writes its attention as a trace file. A part of
// the `trace` subcommand (cli/verb_parts.h): it adds positionals to `trace` and the capture action.
#include <cstdio>
#include <optional>

#include "attnscope/cli/common.h"
#include "attnscope/cli/output_names.h"
#include "attnscope/cli/verb_parts.h"
#include "attnscope/core/error.h"
#include "attnscope/focus/trace_keep.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/models/open_model.h"
#include "attnscope/models/pipeline.h"

namespace attnscope::cli {

namespace {

struct TraceModelArgs {
  std::string model, text, tokenizer, output;
  std::optional<std::string> pair;  // set: a sentence pair (may be empty)
  attention::Keep capture = attention::Keep::dense();
  int64_t generate = 0;
  float temperature = 0.0f;
  int64_t top_k = 0;
  uint64_t seed = 0;
  bool f32 = false;
};

void run(const TraceModelArgs& a) {
  if (a.model.empty()) throw ConfigError("trace: give MODEL \"text\" (or a subcommand such as import)");
  if (a.output.empty()) throw ConfigError("trace: -o/--output OUT.attn.safetensors is required");
  check_trace_output_name(a.output, "-o");
  check_not_an_input(a.output, {a.model, a.tokenizer});
  if (a.generate > 0 && models::is_trained_checkpoint(a.model))
    throw ConfigError("trace: --generate is for language models; this is a trained task model");
  if (a.pair && a.generate > 0) throw ConfigError("trace: --pair and --generate do not go together (a pair is read by an encoder)");
  models::SamplingOptions opt;
  opt.temperature = a.temperature;
  opt.top_k = a.top_k;
  opt.seed = a.seed;
  models::TextTracer tracer(a.model, a.capture, a.tokenizer);
  io::Trace trace = a.pair ? tracer.trace_pair(a.text, *a.pair) : tracer.trace(a.text, a.generate, opt);
  if (const std::string note = focus::clamp_topk(trace); !note.empty()) std::fprintf(stderr, "note: %s\n", note.c_str());
  io::TraceWriteOptions wo;
  wo.f16_weights = !a.f32;
  io::write_trace(trace, a.output, wo);
  std::printf("wrote %s: %s, %s, capture %s\n", a.output.c_str(),
              count_of(static_cast<long long>(trace.layers.size()), "layer").c_str(),
              count_of(trace.sequences.empty() ? 0LL : static_cast<long long>(trace.sequences.front().tokens.size()), "token").c_str(),
              a.capture.str().c_str());
}

void setup_trace_model(CLI::App& trace) {
  auto a = std::make_shared<TraceModelArgs>();
  trace.add_option("MODEL", a->model, "Model directory or file (HF dir, .safetensors, .gguf, llama2.c .bin)");
  trace.add_option("TEXT", a->text, "Input text");
  trace.add_option("--tokenizer", a->tokenizer, "Tokenizer file (default: found beside the model)");
  add_output_flag(&trace, a->output, false);
  add_capture_flag(&trace, a->capture);
  trace.add_option("--pair", a->pair, "Second sentence of a pair for an encoder with token types (BERT reads [CLS] TEXT [SEP] PAIR [SEP])");
  trace.add_option("--generate", a->generate, "Also generate N tokens, capturing each step")->check(at_least(0));
  trace.add_option("--temperature", a->temperature, "Sampling temperature for --generate (0 = greedy)")
      ->check(at_least(0));
  trace.add_option("--top-k", a->top_k, "Top-k sampling for --generate")->check(at_least(0));
  add_seed_flag(&trace, a->seed);
  trace.add_flag("--f32", a->f32, "Store weights as float32 (default float16)");
  set_verb_action("trace", [a] { run(*a); });
}

}  // namespace

}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_VERB_PART("trace", attnscope::cli::setup_trace_model);
