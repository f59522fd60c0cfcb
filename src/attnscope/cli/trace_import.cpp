// `attnscope trace import ATTN.npy --tokens TOKENS.json -o OUT.attn.safetensors`: attention
// computed by any framework ([layers, heads, queries, keys] float array) into a trace file;
// `--describe TRACE.json` instead of --tokens: a trace description naming the arrays of an .npz
// (several sequences, image grids, generation steps, training snapshots; docs/TRACE_FORMAT.md).
#include <cstdio>

#include "attnscope/cli/common.h"
#include "attnscope/cli/output_names.h"
#include "attnscope/cli/verb_parts.h"
#include "attnscope/core/error.h"
#include "attnscope/focus/trace_keep.h"
#include "attnscope/io/trace_import.h"
#include "attnscope/io/trace_io.h"

namespace attnscope::cli {
namespace {

struct ImportArgs {
  std::string attn, tokens, describe, output, array, mechanism, model;
  attention::Keep capture = attention::Keep::dense();
  bool f32 = false;
};

void setup_trace_import(CLI::App& trace) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* sub = trace.add_subcommand("import", "Import attention weights from .npy/.npz plus a tokens JSON file");
  sub->add_option("ATTN", args->attn,
                  "Attention weights [layers, heads, queries, keys] (.npy, or .npz); with --describe, the arrays it names")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--tokens", args->tokens,
                  "Tokens JSON: a list of strings (self-attention) or {\"queries\": [...], \"keys\": [...]}")
      ->check(CLI::ExistingFile);
  sub->add_option("--describe", args->describe,
                  "Trace description JSON whose layers name arrays of ATTN: several sequences, image grids, "
                  "generation steps, training snapshots (docs/TRACE_FORMAT.md)")
      ->check(CLI::ExistingFile)
      ->excludes("--tokens");
  add_output_flag(sub, args->output);
  add_capture_flag(sub, args->capture);
  sub->add_option("--array", args->array, "Array to use from an .npz (default: its only array, or 'attn')");
  sub->add_option("--mechanism", args->mechanism, "Mechanism name recorded per layer (e.g. scaled_dot)");
  sub->add_option("--model", args->model, "Model name recorded in the trace metadata");
  sub->add_flag("--f32", args->f32, "Store weights as float32 (default float16)");
  sub->callback([args] {
    // Query/key vectors and next-token candidates are what a model run computes; the imported
    // arrays (and the description format) hold attention weights only. Refused before anything
    // is read, as a model that cannot give next:K is refused before it runs.
    ATTNSCOPE_CHECK(!args->capture.qk && args->capture.next == 0, ConfigError,
                    "trace import: --capture " + args->capture.str() +
                        ": ,qk and ,next:K come from running a model (query/key vectors, next-token "
                        "candidates); imported arrays hold only attention weights (use dense, topk:K or stats)");
    check_trace_output_name(args->output, "-o");
    ATTNSCOPE_CHECK(!args->tokens.empty() || !args->describe.empty(), ConfigError,
                    "trace import: give the tokens (--tokens TOKENS.json) or a trace description (--describe TRACE.json)");
    check_not_an_input(args->output, {args->attn, args->tokens, args->describe});
    io::TraceImportOptions opt;
    opt.array = args->array;
    opt.mechanism = args->mechanism;
    if (!args->model.empty()) opt.meta["model"] = args->model;
    opt.meta["source"] = "attnscope trace import";
    io::Trace t = args->describe.empty() ? io::import_trace(args->attn, args->tokens, opt)
                                         : io::import_described_trace(args->attn, args->describe, opt);
    focus::keep_as(t, args->capture.mode, args->capture.k);
    if (const std::string note = focus::clamp_topk(t); !note.empty()) std::fprintf(stderr, "note: %s\n", note.c_str());
    io::write_trace(t, args->output, {.f16_weights = !args->f32});
    const auto& l = t.layers.front();
    std::string extra;
    if (t.sequences.size() > 1) extra += ", " + count_of(static_cast<long long>(t.sequences.size()), "sequence");
    if (!t.steps.empty()) extra += ", " + count_of(static_cast<long long>(t.steps.size()), "generation step");
    if (!t.snapshots.empty()) extra += ", " + count_of(static_cast<long long>(t.snapshots.size()), "snapshot");
    std::printf("wrote %s: %s x %s, %s x %s (%s)%s\n", args->output.c_str(),
                count_of(static_cast<long long>(t.layers.size()), "layer").c_str(), count_of(l.heads, "head").c_str(),
                count_of(l.queries, "query", "queries").c_str(), count_of(l.keys, "key").c_str(),
                l.keep == io::TraceKeep::topk ? ("topk:" + std::to_string(l.k)).c_str() : args->capture.str().c_str(),
                extra.c_str());
  });
}

}  // namespace
}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_VERB_PART("trace", attnscope::cli::setup_trace_import);
