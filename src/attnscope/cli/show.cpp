// `attnscope show TRACE [--layer L] [--head H|mean] [--query Q] [--cmap NAME] [--no-color]`
#include <sys/ioctl.h>
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

// The terminal's width (shells do not export $COLUMNS): stdout's window size, else $COLUMNS,
// else 80 (the classic terminal, so piped output fits one too).
int terminal_width() {
  struct winsize ws{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
  const char* cols = std::getenv("COLUMNS");
  return cols && std::atoi(cols) >= 20 ? std::atoi(cols) : 80;
}

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
  sub->add_option("--width", f->width, "Wrap column (default: the terminal's width, else $COLUMNS, else 80)")->check(in_range(20, 1000));
  sub->callback([f] {
    const serve::TraceSource source(io::read_trace(f->trace));
    serve::ShowOptions o;
    o.layer = focus::resolve_layer(source.trace(), f->layer);
    o.head = focus::resolve_head(source.layer(o.layer), f->head);
    o.query = f->query;
    o.cmap = f->cmap;
    // NO_COLOR (no-color.org) and pipes get plain text.
    o.color = !f->no_color && isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
    o.width = f->width ? f->width : terminal_width();
    std::fputs(serve::show_trace(source, o).c_str(), stdout);
  });
}

}  // namespace
}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_COMMAND(attnscope::cli::setup_show);
