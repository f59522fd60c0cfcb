// `attnscope analyze training RUN [--compare RUN2] -o series.png|.svg|.pdf|.gif|.html`: the focus
// series of a run trained with focus snapshots (its checkpoint or its snapshot trace) as line
// charts, a panel per measure (viz/series_chart.h); --compare overlays a second run dashed. A .gif
// (.mp4, DIR/) animates them step by step beside the snapshot heatmap of --layer/--head
// (viz/series_animation.h); .html writes the report page's training section (web/report/training.js).
// Prints per run the final task measures, the first step at 99% exact (dates) and the head role changes.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "attnscope/cli/common.h"
#include "attnscope/cli/verb_parts.h"
#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/focus/selection.h"
#include "attnscope/focus/training_series.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/serve/report_page.h"
#include "attnscope/train/trainer.h"
#include "attnscope/viz/animation_output.h"
#include "attnscope/viz/figure.h"
#include "attnscope/viz/heatmap.h"
#include "attnscope/viz/series_animation.h"
#include "attnscope/viz/series_chart.h"

namespace attnscope::cli {
namespace {

struct TrainingArgs {
  std::string run, compare, output, title, snapshots, layer, head, cmap = "viridis";
  double per_step = 0.4, hold = 2.0;
  bool quiet = false;
};

enum class Output { figure, animation, page };

Output output_kind(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".html") return Output::page;
  if (ext == ".png" || ext == ".svg" || ext == ".pdf") return Output::figure;
  viz::animation_format_for(path);  // ConfigError naming what is accepted
  return Output::animation;
}

// The run's snapshot trace: --snapshots, else the run itself when it is one, else the default
// path beside its checkpoint when that exists; none when the run has no snapshots to show.
std::optional<io::Trace> snapshot_trace(const TrainingArgs& a) {
  if (!a.snapshots.empty()) return io::read_trace(a.snapshots);
  try {
    io::Trace t = io::read_trace(a.run);
    if (!t.snapshots.empty()) return t;
  } catch (const FormatError&) {  // a checkpoint, not a trace
  }
  const std::string beside = train::default_focus_output(a.run);
  if (std::filesystem::is_regular_file(beside)) return io::read_trace(beside);
  return std::nullopt;
}

void write_animation(const TrainingArgs& a, const std::vector<viz::SeriesRun>& runs, const viz::SeriesAnimationOptions& o) {
  const std::optional<io::Trace> trace = snapshot_trace(a);
  std::optional<viz::SnapshotHeatmaps> maps;
  if (trace) {
    const int64_t layer = focus::resolve_layer(*trace, a.layer);
    maps = viz::SnapshotHeatmaps{&*trace, layer, focus::resolve_head(trace->layers[static_cast<size_t>(layer)], a.head)};
  } else if (!a.layer.empty() || !a.head.empty()) {
    throw ConfigError("--layer/--head choose the snapshot heatmap, but '" + a.run +
                      "' has no snapshot trace beside it (give it with --snapshots)");
  }
  const viz::SnapshotHeatmaps* m = maps ? &*maps : nullptr;
  const viz::SeriesAnimationSize size = viz::check_series_animation(runs, m, o);
  viz::AnimationTarget target{a.output, size.width, size.height, 10, a.cmap, {}};
  viz::check_animation_target(target);
  int64_t frames = 0;
  viz::write_animation(target, [&](viz::FrameSink& sink) { frames = viz::render_series_animation(runs, m, o, sink, a.quiet); });
  if (!a.quiet)
    std::printf("wrote %s (%lld frames%s)\n", a.output.c_str(), static_cast<long long>(frames),
                m ? (", beside " + viz::heatmap_title(*trace, trace->layers[static_cast<size_t>(m->layer)], m->head)).c_str() : "");
}

// The report page (serve/report_page.h) with only its training section: the runs' series.
void write_page(const TrainingArgs& a, const std::vector<viz::SeriesRun>& runs) {
  nlohmann::json training = nlohmann::json::array();
  for (const auto& r : runs) {
    nlohmann::json run = {{"label", r.label}, {"series", focus::to_json(*r.series)}};
    const int64_t at = focus::first_step_reaching(*r.series, "exact", 0.99);
    if (at >= 0) run["exact_99_step"] = at;
    run["role_changes"] = focus::role_changes(*r.series);
    training.push_back(std::move(run));
  }
  const nlohmann::json report = {{"source", a.run}, {"title", a.title}, {"training", std::move(training)}};
  write_file_atomic(a.output, serve::report_html(report, serve::AssetStore()));
  if (!a.quiet) std::printf("wrote %s\n", a.output.c_str());
}

void summarize(const std::string& name, const focus::TrainingSeries& s) {
  const auto& last = s.points.back();
  std::printf("%s: %zu points, steps %lld..%lld\n", name.c_str(), s.points.size(), static_cast<long long>(s.points.front().step),
              static_cast<long long>(last.step));
  std::string finals;
  for (const auto& [k, v] : last.values)
    if (k.find('/') == std::string::npos) finals += " " + k + "=" + std::to_string(v).substr(0, 6);
  if (!finals.empty()) std::printf("  final:%s\n", finals.c_str());
  if (last.values.count("exact")) {
    const int64_t at = focus::first_step_reaching(s, "exact", 0.99);
    std::printf("  exact >= 99%%: %s\n", at < 0 ? "not reached" : ("step " + std::to_string(at)).c_str());
  }
  for (const auto& c : focus::role_changes(s)) std::printf("  role %s\n", c.c_str());
}

void run_training_chart(const TrainingArgs& a) {
  const Output kind = output_kind(a.output);  // refuse an unknown extension before reading anything
  if (kind != Output::animation) check_output_path(a.output, kind == Output::page ? "report page" : "chart");
  const focus::TrainingSeries one = train::read_focus_series(a.run);
  focus::TrainingSeries two;
  std::vector<viz::SeriesRun> runs = {{a.run, &one}};
  if (!a.compare.empty()) {
    two = train::read_focus_series(a.compare);
    runs.push_back({a.compare, &two});
  }
  viz::SeriesAnimationOptions o;
  if (!a.title.empty()) o.chart.title = a.title;
  o.seconds_per_step = a.per_step;
  o.hold = a.hold;
  o.colormap = a.cmap;
  if (kind == Output::animation) write_animation(a, runs, o);
  else if (kind == Output::page) write_page(a, runs);
  else viz::render_series_chart(a.output, runs, o.chart);
  if (a.quiet) return;
  if (kind == Output::figure) std::printf("wrote %s\n", a.output.c_str());
  for (const auto& r : runs) summarize(r.label, *r.series);
}

void setup_training(CLI::App& analyze) {
  CLI::App* sub = analyze.add_subcommand("training", "Focus over training: line charts of a run's focus series (PNG/SVG/PDF), animated (GIF/MP4) or as a report page (HTML)");
  auto a = std::make_shared<TrainingArgs>();
  sub->add_option("RUN", a->run, "A checkpoint trained with --focus-every, or its focus snapshot trace")->required();
  sub->add_option("--compare", a->compare, "A second run to overlay (dashed), e.g. the same task without a bias");
  sub->add_option("--title", a->title, "Chart title");
  sub->add_option("--snapshots", a->snapshots, "Animation: the run's snapshot trace (default: RUN, or RUN.focus.attn.safetensors)");
  add_layer_head_flags(sub, a->layer, a->head);
  sub->add_option("--per-step", a->per_step, "Animation: seconds per focus snapshot")->check(CLI::Range(0.02, 60.0));
  sub->add_option("--hold", a->hold, "Animation: extra seconds on the last frame")->check(CLI::Range(0.0, 60.0));
  sub->add_option("--cmap", a->cmap, "Animation: colour map of the snapshot heatmap");
  sub->add_option("-o,--output", a->output, "Output: .png/.svg/.pdf chart, .gif/.mp4/DIR/ animation, .html report page")->required();
  sub->add_flag("-q,--quiet", a->quiet, "No summary");
  sub->callback([a] { run_training_chart(*a); });
}

}  // namespace
}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_VERB_PART("analyze", attnscope::cli::setup_training);
