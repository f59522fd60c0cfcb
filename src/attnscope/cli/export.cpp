// `attnscope export TRACE --html -o OUT.html`: one standalone offline viewer file.
// `attnscope export TRACE --csv|--json -o OUT [--table weights|rows|heads] [--layer L] [--head H]`:
// the trace as tables for notebooks (focus/trace_tables.h): CSV holds one table (default the
// weights), JSON every table unless --table names one.
#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/focus/selection.h"
#include "attnscope/focus/trace_tables.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/serve/html_export.h"

#include <nlohmann/json.hpp>

namespace attnscope::cli {
namespace {

struct ExportFlags {
  std::string trace, out, web_root, table, layer, head;
  bool html = false, csv = false, json = false;
};

std::string kib(size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024.0);
  return buf;
}

void export_html(const ExportFlags& f) {
  ATTNSCOPE_CHECK(f.out.ends_with(".html") || f.out.ends_with(".htm"), ConfigError,
                  "export --html: output '" + f.out + "' should end in .html");
  ATTNSCOPE_CHECK(f.table.empty() && f.layer.empty() && f.head.empty(), ConfigError,
                  "export --html: the viewer holds the whole trace; --table, --layer and --head apply to --csv/--json");
  const serve::TraceSource source(io::read_trace(f.trace));
  const std::string html = serve::export_html(source, serve::AssetStore(f.web_root));
  write_file_atomic(f.out, html);
  std::printf("wrote %s (%s)\n", f.out.c_str(), kib(html.size()).c_str());
}

void export_tables(const ExportFlags& f) {
  const char* ext = f.csv ? ".csv" : ".json";
  ATTNSCOPE_CHECK(f.out.ends_with(ext), ConfigError,
                  std::string("export --") + (f.csv ? "csv" : "json") + ": output '" + f.out + "' should end in " + ext);
  ATTNSCOPE_CHECK(f.web_root.empty(), ConfigError, "export: --web-root applies to --html only");
  const io::Trace trace = io::read_trace(f.trace);
  focus::TableSelection sel;
  if (!f.layer.empty()) sel.layer = focus::resolve_layer(trace, f.layer);
  if (!f.head.empty()) {
    // A head index must exist in every exported layer; resolve it against the first of them.
    sel.head = focus::resolve_head(trace.layers[static_cast<size_t>(sel.layer.value_or(0))], f.head);
  }
  std::string text, what;
  if (f.csv) {
    const focus::Table t = focus::trace_table(trace, f.table.empty() ? "weights" : f.table, sel);
    text = focus::to_csv(t);
    what = t.name + ", " + count_of(static_cast<long long>(t.rows()), "row");
  } else {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    std::string refused;
    for (const std::string& name : focus::table_names()) {
      if (!f.table.empty() && name != f.table) continue;
      // Without --table, tables that do not apply (weights of a stats-only trace, the measures of
      // the head mean) are left out rather than refusing the rest.
      try {
        const focus::Table t = focus::trace_table(trace, name, sel);
        what += (what.empty() ? "" : ", ") + t.name + " " + count_of(static_cast<long long>(t.rows()), "row");
        j[name] = focus::to_json(t);
      } catch (const ConfigError& e) {
        if (!f.table.empty()) throw;
        refused = e.what();
      }
    }
    ATTNSCOPE_CHECK(!j.empty(), ConfigError, refused);
    text = j.dump() + "\n";
  }
  write_file_atomic(f.out, text);
  std::printf("wrote %s (%s; %s)\n", f.out.c_str(), what.c_str(), kib(text.size()).c_str());
}

void setup_export(CLI::App& app) {
  auto* sub = app.add_subcommand("export", "Export a trace: a standalone offline HTML viewer, or tables (CSV/JSON)");
  auto f = std::make_shared<ExportFlags>();
  sub->add_option("TRACE", f->trace, "Trace file (NAME.attn.safetensors)")->required();
  auto* html = sub->add_flag("--html", f->html, "One self-contained HTML viewer file");
  auto* csv = sub->add_flag("--csv", f->csv, "One table as CSV (default the weights, long format)");
  auto* json = sub->add_flag("--json", f->json, "The tables as JSON, column-oriented (pandas.DataFrame reads each)");
  html->excludes(csv)->excludes(json);
  csv->excludes(json);
  add_output_flag(sub, f->out);
  sub->add_option("--table", f->table,
                  "weights (layer, head, query, key, tokens, weight), rows (per query: entropy, max_weight, argmax), "
                  "heads (per head: analyze's measures and role)")
      ->check(CLI::IsMember(focus::table_names()));
  add_layer_head_flags(sub, f->layer, f->head);
  sub->add_option("--web-root", f->web_root, "Take the page from this directory (development)")
      ->check(CLI::ExistingDirectory);
  sub->callback([f] {
    ATTNSCOPE_CHECK(f->html || f->csv || f->json, ConfigError, "export: say which format: --html, --csv or --json");
    if (f->html)
      export_html(*f);
    else
      export_tables(*f);
  });
}

}  // namespace
}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_COMMAND(attnscope::cli::setup_export);
