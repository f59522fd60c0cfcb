// `attnscope export TRACE --html -o OUT.html`: one standalone offline viewer file.
#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/serve/html_export.h"

namespace attnscope::cli {
namespace {

void setup_export(CLI::App& app) {
  auto* sub = app.add_subcommand("export", "Export a trace as a standalone offline HTML viewer");
  struct Flags {
    std::string trace, out, web_root;
    bool html = false;
  };
  auto f = std::make_shared<Flags>();
  sub->add_option("TRACE", f->trace, "Trace file (NAME.attn.safetensors)")->required();
  sub->add_flag("--html", f->html, "Write one self-contained HTML file (the only format so far)");
  add_output_flag(sub, f->out);
  sub->add_option("--web-root", f->web_root, "Take the page from this directory (development)")
      ->check(CLI::ExistingDirectory);
  sub->callback([f] {
    ATTNSCOPE_CHECK(f->html, ConfigError, "export: say which format: --html");
    ATTNSCOPE_CHECK(f->out.ends_with(".html") || f->out.ends_with(".htm"), ConfigError,
                    "export --html: output '" + f->out + "' should end in .html");
    const serve::TraceSource source(io::read_trace(f->trace));
    const std::string html = serve::export_html(source, serve::AssetStore(f->web_root));
    write_file_atomic(f->out, html);
    std::printf("wrote %s (%.1f KiB)\n", f->out.c_str(), static_cast<double>(html.size()) / 1024.0);
  });
}

}  // namespace
}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_COMMAND(attnscope::cli::setup_export);
