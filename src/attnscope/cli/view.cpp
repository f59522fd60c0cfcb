// `attnscope view TRACE [--port P] [--open] [--web-root DIR]`
#include "attnscope/cli/view.h"

#include "attnscope/cli/command.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/serve/viewer.h"

namespace attnscope::cli {

void add_view_flags(CLI::App* sub, ViewFlags& flags) {
  sub->add_option("--port", flags.port, "Port on 127.0.0.1 (default: a free one)")->check(CLI::Range(0, 65535));
  sub->add_flag("--open", flags.open, "Open the viewer in the default browser");
  sub->add_option("--web-root", flags.web_root, "Serve the page from this directory (development)")
      ->check(CLI::ExistingDirectory);
}

void view_trace(io::Trace trace, const ViewFlags& flags) {
  serve::ViewerOptions o;
  o.server.port = flags.port;
  o.server.web_root = flags.web_root;
  o.open_browser = flags.open;
  serve::run_viewer(std::move(trace), o);
}

namespace {

void setup_view(CLI::App& app) {
  auto* sub = app.add_subcommand("view", "Interactive attention viewer in the browser (local server)");
  auto path = std::make_shared<std::string>();
  auto flags = std::make_shared<ViewFlags>();
  sub->add_option("TRACE", *path, "Trace file (NAME.attn.safetensors)")->required();
  add_view_flags(sub, *flags);
  sub->callback([path, flags] { view_trace(io::read_trace(*path), *flags); });
}

}  // namespace
}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_COMMAND(attnscope::cli::setup_view);
