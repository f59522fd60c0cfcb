// `attnscope view TRACE [--port P] [--open] [--web-root DIR]`, or `attnscope view MODEL "text"`
#include "attnscope/cli/view.h"

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/core/error.h"
#include "attnscope/focus/derived_layers.h"
#include "attnscope/focus/trace_keep.h"
#include "attnscope/models/open_model.h"
#include "attnscope/models/pipeline.h"

#include <filesystem>
#include <memory>
#include "attnscope/io/trace_io.h"
#include "attnscope/serve/viewer.h"

namespace attnscope::cli {

void add_view_flags(CLI::App* sub, ViewFlags& flags, CLI::Option* needs) {
  CLI::Option* opts[] = {
      sub->add_option("--port", flags.port, "Port on 127.0.0.1 (default: a free one)")->check(in_range(0, 65535)),
      sub->add_flag("--open", flags.open, "Open the viewer in the default browser"),
      sub->add_option("--web-root", flags.web_root, "Serve the page from this directory (development)")
          ->check(CLI::ExistingDirectory),
      sub->add_flag("--rollout", flags.rollout, "Also show attention rollout of each self-attention stack as a matrix"),
      sub->add_flag("--flow", flags.flow,
                    "Also show attention flow (exact max-flow) as a matrix (sequences up to 256 tokens)")};
  if (needs)
    for (CLI::Option* o : opts) o->needs(needs);
}

void view_trace(io::Trace trace, const ViewFlags& flags) {
  focus::add_derived_layers(trace, flags.rollout, flags.flow);
  serve::ViewerOptions o;
  o.server.port = flags.port;
  o.server.web_root = flags.web_root;
  o.open_browser = flags.open;
  serve::run_viewer(std::move(trace), o);
}

namespace {

struct ViewArgs {
  std::string path, text, tokenizer;
  attention::Keep capture = attention::Keep::dense();
  int64_t generate = 0;
  ViewFlags flags;
};

// `view TRACE`, or `view MODEL "text"`: runs the model, captures its attention, and serves it
// (with --generate N the animation plays the generation step by step).
void run_view(const ViewArgs& a) {
  std::error_code ec;
  const bool is_trace_file = std::filesystem::is_regular_file(a.path, ec) && a.text.empty();
  if (is_trace_file) {
    view_trace(io::read_trace(a.path), a.flags);
    return;
  }
  if (a.text.empty() && a.generate == 0) {
    // A path that is not there: the trace reader's line (missing file), as every verb says it.
    if (!std::filesystem::exists(a.path, ec)) (void)io::read_trace(a.path);
    throw ConfigError("view: give a trace file, or MODEL \"text\" to run a model and view its attention");
  }
  if (a.generate > 0 && models::is_trained_checkpoint(a.path))
    throw ConfigError("view: --generate is for language models; this is a trained task model");
  io::Trace t = models::TextTracer(a.path, a.capture, a.tokenizer).trace(a.text, a.generate);
  if (const std::string note = focus::clamp_topk(t); !note.empty()) std::fprintf(stderr, "note: %s\n", note.c_str());
  view_trace(t, a.flags);
}

void setup_view(CLI::App& app) {
  auto* sub = app.add_subcommand("view", "Interactive attention viewer in the browser (local server)");
  auto a = std::make_shared<ViewArgs>();
  sub->add_option("TRACE", a->path, "Trace file (NAME.attn.safetensors), or a model (then give TEXT)")->required();
  sub->add_option("TEXT", a->text, "Text to run through the model");
  sub->add_option("--tokenizer", a->tokenizer, "Tokenizer file (default: found beside the model)");
  add_capture_flag(sub, a->capture);
  sub->add_option("--generate", a->generate, "Generate N tokens after the text, capturing each step")
      ->check(at_least(0));
  add_view_flags(sub, a->flags);
  sub->callback([a] { run_view(*a); });
}
}  // namespace
}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_COMMAND(attnscope::cli::setup_view);
