// `attnscope analyze TRACE|MODEL [TEXT | --corpus FILE]`: measures where attention goes (focus/
// head_stats.h: per-head measures and roles), rollout and flow over each self-attention stack,
// and an induction probe for language models; writes report.json. Children: `analyze merge`
// (here) and `analyze align` (cli/analyze_align.cpp). Under mpirun (MPI build) the ranks split
// a --corpus and rank 0 writes the report of the whole (docs/DISTRIBUTED.md).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "attnscope/cli/analyze_text.h"
#include "attnscope/cli/common.h"
#include "attnscope/cli/output_names.h"
#include "attnscope/cli/verb_parts.h"
#include "attnscope/cli/world.h"
#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/core/progress.h"
#include "attnscope/data/utf8.h"
#include "attnscope/focus/head_stats.h"
#include "attnscope/focus/layer_stacks.h"
#include "attnscope/focus/trace_analysis.h"
#include "attnscope/io/json_parse.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/models/open_model.h"
#include "attnscope/serve/report_page.h"

namespace attnscope::cli {
namespace {

using nlohmann::json;

struct AnalyzeArgs {
  std::string source, text, corpus, shard, tokenizer, output, html;
  attention::Keep capture = attention::Keep::dense();
  bool rollout = false, flow = false, quiet = false, faithfulness = false, head_importance = false, attributions = false;
  int64_t query = -1, induction = 0, probes = 4;
  focus::HeadFusion fusion = focus::HeadFusion::mean;
  uint64_t seed = 1;
};

// "i/n" -> (i, n) with 0 <= i < n.
std::pair<int64_t, int64_t> parse_shard(const std::string& s) {
  const size_t slash = s.find('/');
  try {
    if (slash != std::string::npos) {
      size_t a = 0, b = 0;
      const long long i = std::stoll(s.substr(0, slash), &a), n = std::stoll(s.substr(slash + 1), &b);
      if (a == slash && b == s.size() - slash - 1 && n >= 1 && i >= 0 && i < n) return {i, n};
    }
  } catch (const std::exception&) {
  }
  throw ConfigError("analyze: --shard expects i/n with 0 <= i < n (e.g. 0/2), got '" + s + "'");
}

focus::TraceAnalysisOptions focus_options(const AnalyzeArgs& a) {
  return {.rollout = a.rollout, .flow = a.flow, .query = a.query, .fusion = a.fusion};
}

// The induction probe (Olsson et al. 2022): random token sequences repeated twice; a head that
// attends from the second copy to the token after the first occurrence is an induction head.
// `also` (may be null) gets the probe traces too: with no text or corpus they are what is analyzed.
json induction_probe(models::TextTracer& tracer, const AnalyzeArgs& a, focus::FocusSums* also) {
  focus::FocusSums sums;
  for (int64_t i = 0; i < a.probes; ++i) {
    const io::Trace t = tracer.trace_repeated_random(a.induction, a.seed + i);
    sums.add(t);
    if (also) also->add(t);
  }
  json layers = json::array();
  std::string best_name;
  int64_t best_head = -1;
  double best = -1;
  for (const auto& L : sums.layers) {
    json heads = json::array();
    for (size_t h = 0; h < L.heads.size(); ++h) {
      const focus::HeadReport r = focus::head_report(L.heads[h]);
      heads.push_back(r.induction_mass);
      if (r.induction_mass > best) {
        best = r.induction_mass;
        best_name = L.name;
        best_head = static_cast<int64_t>(h);
      }
    }
    layers.push_back({{"name", L.name}, {"induction_mass", std::move(heads)}});
  }
  return {{"length", a.induction},
          {"sequences", a.probes},
          {"layers", std::move(layers)},
          {"best", {{"layer", best_name}, {"head", best_head}, {"induction_mass", best}}}};
}

// report.json, and with html non-empty the offline report page (web/report.html) showing it.
void write_report(const json& report, const std::string& path, const std::string& html) {
  write_file_atomic(path, report.dump(1) + "\n");
  if (!html.empty()) write_file_atomic(html, serve::report_html(report, serve::AssetStore()));
}

// Under mpirun: rank 0 gets the sum of every rank's corpus partial, in rank order. FocusSums add
// fixed-point integers, so the report is bit for bit the one a single process writes.
void reduce_corpus_partials(World& w, focus::FocusSums& sums, int64_t& skipped, int64_t& too_long) {
  json mine = focus::to_json(sums);
  mine["blank_lines_skipped"] = skipped;
  mine["lines_not_run"] = too_long;
  const std::vector<std::string> parts = w.gather(mine.dump());
  if (!w.is_root()) return;
  sums = {};
  skipped = too_long = 0;
  for (const std::string& p : parts) {
    const json j = io::parse_json(p, "analyze: a rank's partial");
    sums.merge(focus::sums_from_json(j));
    skipped += j.at("blank_lines_skipped").get<int64_t>();
    too_long += j.at("lines_not_run").get<int64_t>();
  }
}

void run_analyze(const AnalyzeArgs& a) {
  if (a.output.empty()) throw ConfigError("analyze: -o/--output REPORT.json is required");
  if (a.query >= 0 && !a.flow) throw ConfigError("analyze: --query picks a row of --flow; add --flow");
  if (!a.corpus.empty() && !a.text.empty()) throw ConfigError("analyze: give TEXT or --corpus FILE, not both");
  if (!data::valid_utf8(a.text)) throw ValueError("analyze: the input text is not valid UTF-8");
  if (!a.corpus.empty() && (a.rollout || a.flow))
    throw ConfigError("analyze: rollout and flow are per text: give TEXT or a trace, not --corpus");
  if (!a.shard.empty() && a.corpus.empty()) throw ConfigError("analyze: --shard splits a --corpus");
  if ((a.faithfulness || a.head_importance || a.attributions) && a.text.empty() && a.corpus.empty())
    throw ConfigError(std::string("analyze: ") +
                      (a.faithfulness ? "--faithfulness" : a.head_importance ? "--head-importance" : "--attributions") +
                      " runs a language model: give MODEL with TEXT or --corpus");
  const auto [shard, shards] = a.shard.empty() ? std::pair<int64_t, int64_t>{0, 1} : parse_shard(a.shard);
  World& w = world();
  if (w.size() > 1 && a.corpus.empty())
    throw ConfigError("analyze: several processes split a --corpus; run a single text or trace in one process");
  if (w.size() > 1 && (a.faithfulness || a.head_importance || a.attributions))
    throw ConfigError(std::string("analyze: ") +
                      (a.faithfulness ? "--faithfulness" : a.head_importance ? "--head-importance" : "--attributions") +
                      " is not reduced across processes; run it in one process");
  const bool root = w.is_root();
  check_output_path(a.output, "report");
  check_output_path(a.html, "report page");
  check_output_name(a.output, "-o", {".json"});
  check_output_name(a.html, "--html", {".html"});
  check_not_an_input(a.output, {a.source, a.corpus, a.tokenizer});
  check_not_an_input(a.html, {a.source, a.corpus, a.tokenizer});
  json report = {{"attnscope_report", 1}, {"source", std::filesystem::path(a.source).filename().string()}};
  focus::FocusSums sums;
  TextMeasures measures;
  measures.faithfulness = a.faithfulness;
  measures.head_importance = a.head_importance;
  measures.attributions = a.attributions;
  measures.fusion = a.fusion;
  const bool trace_input = a.text.empty() && a.corpus.empty() && a.induction == 0;
  if (trace_input) {
    report = focus::analyze_trace(io::read_trace(a.source), report["source"].get<std::string>(), focus_options(a), &sums);
  } else {
    models::TextTracer tracer(a.source, a.capture, a.tokenizer);
    if (!a.text.empty()) {
      measures.add(tracer, a.text, sums);
      report["text"] = a.text;
      if (a.rollout || a.flow) report["sequences"] = focus::sequence_focus(tracer.trace(a.text), focus_options(a));
    } else if (!a.corpus.empty()) {
      // Streamed twice: once to count this shard's lines (the progress bar's total), once to run
      // them; only the current line is held.
      // Under mpirun rank r of K takes the lines of part shard + shards·r of shards·K: together the
      // ranks cover exactly the lines of --shard (all lines without it).
      const int64_t part = shard + shards * w.rank(), parts = shards * w.size();
      require_regular_file(a.corpus);
      std::ifstream in(a.corpus);
      if (!in) throw IoError("analyze: cannot read corpus '" + a.corpus + "'");
      // The first pass also counts every token of the whole corpus (all shards and ranks alike, so
      // partials stay exactly mergeable): the rarity behind the rare-token measure.
      int64_t total = 0, mine = 0;
      focus::TokenCounts counts;
      for (std::string line; std::getline(in, line); ++total) {
        if (!data::valid_utf8(line)) throw FormatError("'" + a.corpus + "' line " + std::to_string(total + 1) + ": not valid UTF-8");
        mine += total % parts == part;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        try {
          for (const auto& t : tracer.token_labels(line)) ++counts[t];
        } catch (const ValueError&) {
        }
      }
      if (!counts.empty()) measures.counts = &counts;
      in.clear();
      in.seekg(0);
      Progress bar("analyze", mine, a.quiet || !root);
      int64_t skipped = 0, too_long = 0, i = 0;
      for (std::string line; std::getline(in, line); ++i) {
        if (i % parts != part) continue;
        if (line.find_first_not_of(" \t\r") == std::string::npos) {
          ++skipped;  // blank lines are no sentence
        } else {
          try {
            measures.add(tracer, line, sums);
          } catch (const ValueError&) {
            ++too_long;  // longer than the model's context (or no token): counted, not fatal
          }
        }
        bar.tick();
      }
      bar.finish();
      measures.counts = nullptr;  // `counts` ends with this block
      if (w.size() > 1) reduce_corpus_partials(w, sums, skipped, too_long);
      if (!root) return;
      report["corpus"] = std::filesystem::path(a.corpus).filename().string();
      report["corpus_lines"] = total;
      report["blank_lines_skipped"] = skipped;
      report["lines_not_run"] = too_long;
      if (too_long && !a.quiet)
        std::fprintf(stderr, "note: %lld line(s) could not be run (longer than the model's context)\n",
                     static_cast<long long>(too_long));
      if (!a.shard.empty()) report["shard"] = a.shard;
      if (sums.sequences == 0) throw ConfigError("analyze: the corpus (shard) holds no text line");
    }
    measures.write(report, tracer);
    if (a.induction > 0) report["induction"] = induction_probe(tracer, a, sums.sequences == 0 ? &sums : nullptr);
  }
  if (!trace_input && sums.sequences > 0) {
    const json j = focus::to_json(sums);
    for (auto it = j.begin(); it != j.end(); ++it) report[it.key()] = it.value();
  }
  write_report(report, a.output, a.html);
  if (!a.quiet) {
    std::printf("wrote %s: %s, %s\n", a.output.c_str(), count_of(static_cast<long long>(sums.sequences), "sequence").c_str(),
                count_of(static_cast<long long>(sums.layers.size()), "layer").c_str());
    for (const auto& L : sums.layers) {
      std::string roles;
      for (const auto& h : L.heads) roles += (roles.empty() ? "" : " ") + focus::head_report(h).role;
      std::printf("  %-24s %s\n", L.name.c_str(), roles.c_str());
    }
    measures.print();
  }
}

struct MergeArgs {
  std::vector<std::string> partials;
  std::string output, html;
};

void run_merge(const MergeArgs& a) {
  check_output_path(a.output, "report");
  check_output_path(a.html, "report page");
  check_output_name(a.output, "-o", {".json"});
  check_output_name(a.html, "--html", {".html"});
  check_not_an_input(a.output, a.partials);
  check_not_an_input(a.html, a.partials);
  focus::FocusSums sums;
  json first;
  // Partials of `--shard i/n` (which record "shard"): each of 0..n-1 exactly once, of one model and
  // corpus, or the merged report counts some lines twice and others never. Whole reports (no
  // shard) merge as they are.
  std::map<int64_t, std::string> shards_seen;
  int64_t shards = 0;
  for (const auto& p : a.partials) {
    const json j = io::parse_json(read_file(p), "analyze merge: '" + p + "'");
    if (j.is_object() && j.contains("shard") && j["shard"].is_string()) {
      const std::string name = j["shard"].get<std::string>();
      const auto [i, n] = parse_shard(name);
      if (shards != 0 && n != shards)
        throw ConfigError("analyze merge: '" + p + "' is shard " + name + ", the others split in " + std::to_string(shards));
      shards = n;
      if (!shards_seen.emplace(i, p).second)
        throw ConfigError("analyze merge: shard " + name + " is given twice ('" + shards_seen[i] + "' and '" + p + "')");
      if (!first.is_null() && (j.value("source", "") != first.value("source", "") ||
                               j.value("corpus", std::string()) != first.value("corpus", std::string())))
        throw ConfigError("analyze merge: '" + p + "' analyzed another model or corpus than '" + a.partials.front() + "'");
    }
    try {
      sums.merge(focus::sums_from_json(j));
    } catch (const ConfigError& e) {
      throw ConfigError(std::string(e.what()) + " in '" + p + "'");
    }
    if (first.is_null()) first = j;
  }
  if (!shards_seen.empty() && shards_seen.size() != a.partials.size())
    throw ConfigError("analyze merge: give the partials of one --shard split, not whole reports beside them");
  for (int64_t i = 0; i < shards; ++i)
    if (!shards_seen.count(i))
      throw ConfigError("analyze merge: shard " + std::to_string(i) + "/" + std::to_string(shards) + " is missing (" +
                        std::to_string(shards_seen.size()) + " of " + std::to_string(shards) + " given)");
  json report = {{"attnscope_report", 1}, {"source", first.value("source", "")}};
  if (first.contains("corpus")) report["corpus"] = first["corpus"];
  report["merged"] = static_cast<int64_t>(a.partials.size());
  const json j = focus::to_json(sums);
  for (auto it = j.begin(); it != j.end(); ++it) report[it.key()] = it.value();
  write_report(report, a.output, a.html);
  std::printf("wrote %s: %lld sequence(s) from %zu partials\n", a.output.c_str(), static_cast<long long>(sums.sequences),
              a.partials.size());
}

void setup_analyze(CLI::App& analyze) {
  CLI::App* sub = &analyze;
  auto a = std::make_shared<AnalyzeArgs>();
  sub->add_option("SOURCE", a->source, "Trace file, or a model (then TEXT, --corpus or --induction)");
  sub->add_option("TEXT", a->text, "Text to run through the model")
      ->check(CLI::Validator(
          [](std::string& t) { return t.find_first_not_of(" \t\r\n") == std::string::npos ? std::string("empty input text") : std::string(); },
          ""));
  sub->add_option("--corpus", a->corpus, "Analyze every line of FILE (one text per line) and aggregate");
  sub->add_option("--shard", a->shard, "i/n: analyze every n-th line from line i (merge with `analyze merge`)");
  sub->add_flag("--rollout", a->rollout, "Attention rollout of every self-attention stack (Abnar & Zuidema 2020)");
  sub->add_flag("--flow", a->flow, "Attention flow (exact max-flow) of every self-attention stack");
  sub->add_option("--fusion", a->fusion, "How rollout and flow fuse a layer's heads: mean, max or min")
      ->transform(CLI::CheckedTransformer(std::map<std::string, focus::HeadFusion>{
          {"mean", focus::HeadFusion::mean}, {"max", focus::HeadFusion::max}, {"min", focus::HeadFusion::min}}));
  sub->add_option("--query", a->query, "With --flow: only this query row (e.g. 0 for [CLS], or the last token)")
      ->check(in_range(int64_t{0}, int64_t{1} << 30));
  sub->add_flag("--faithfulness", a->faithfulness,
                "Language models: rank raw attention, rollout and flow against leave-one-out importance (Spearman)");
  sub->add_flag("--head-importance", a->head_importance,
                "Language models: each head's importance by ablation (loss increase when it is zeroed) and by gradient");
  sub->add_flag("--attributions", a->attributions,
                "Language models: gradient x attention, attention x |value|, Chefer rollout and input gradients of TEXT's next token");
  sub->add_option("--induction", a->induction,
                  "Language models: induction probe on N random tokens repeated twice")
      ->check(in_range(int64_t{0}, int64_t{4096}));
  sub->add_option("--probes", a->probes, "Sequences in the induction probe (default 4)")->check(in_range(int64_t{1}, int64_t{256}));
  add_seed_flag(sub, a->seed);
  sub->add_option("--tokenizer", a->tokenizer, "Tokenizer file (default: found beside the model)");
  add_capture_flag(sub, a->capture);
  add_output_flag(sub, a->output, false);
  sub->add_option("--html", a->html, "Also write the offline report page (heads grid, roles, rollout/flow heatmaps)");
  sub->add_flag("-q,--quiet", a->quiet, "No progress or summary");
  set_verb_action("analyze", [a] {
    if (a->source.empty()) throw ConfigError("analyze: give a trace, or MODEL with TEXT / --corpus (see attnscope analyze --help)");
    run_analyze(*a);
  });

  CLI::App* merge = sub->add_subcommand("merge", "Combine --shard partial reports into the single-run report");
  auto m = std::make_shared<MergeArgs>();
  merge->add_option("PARTIAL", m->partials, "Partial reports (analyze --shard i/n -o ...)")->required();
  add_output_flag(merge, m->output);
  merge->add_option("--html", m->html, "Also write the offline report page");
  merge->callback([m] { run_merge(*m); });
}

}  // namespace
}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_VERB_PART("analyze", attnscope::cli::setup_analyze);

namespace attnscope::cli {
namespace {
void setup_analyze_verb(CLI::App& app) {
  setup_verb(app, "analyze", "Measure attention: head roles, rollout, flow, alignment (report.json)");
}
}  // namespace
}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_COMMAND(attnscope::cli::setup_analyze_verb);
