// `attnscope show TRACE [--layer L] [--head H|mean] [--query Q] [--cmap NAME] [--no-color]`
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/focus/attention_map.h"
#include "attnscope/focus/selection.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/serve/terminal_show.h"

namespace attnscope::cli {
namespace {

void setup_show(CLI::App& app) {
  auto* sub = app.add_subcommand("show", "Quick look in the terminal: tokens shaded by attention weight");
  struct Flags {
    std::string trace, layer, head;
    int64_t query = -1;
    std::string cmap = "viridis";
    bool no_color = false;
    int width = 0;
  };
  auto f = std::make_shared<Flags>();
  sub->add_option("TRACE", f->trace, "Trace file (NAME.attn.safetensors)")->required();
  add_layer_head_flags(sub, f->layer, f->head);
  sub->add_option("--query", f->query, "Query position (default: the last one)")->check(at_least(0));
  sub->add_option("--cmap", f->cmap, "Colour map: viridis, magma, cividis");
  sub->add_flag("--no-color", f->no_color, "Plain text: weights in brackets (default when not a terminal)");
  sub->add_option("--width", f->width, "Wrap column (default: $COLUMNS or 100)")->check(in_range(20, 1000));
  sub->callback([f] {
    const serve::TraceSource source(io::read_trace(f->trace));
    serve::ShowOptions o;
    o.layer = focus::resolve_layer(source.trace(), f->layer);
    o.head = focus::resolve_head(source.layer(o.layer), f->head);
    o.query = f->query;
    o.cmap = f->cmap;
    // NO_COLOR (no-color.org) and pipes get plain text.
    o.color = !f->no_color && isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
    const char* cols = std::getenv("COLUMNS");
    o.width = f->width ? f->width : (cols && std::atoi(cols) >= 20 ? std::atoi(cols) : 100);
    std::fputs(serve::show_trace(source, o).c_str(), stdout);
  });
}

}  // namespace
}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_COMMAND(attnscope::cli::setup_show);
