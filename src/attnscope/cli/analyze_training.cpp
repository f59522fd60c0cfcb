// `attnscope analyze training RUN [--compare RUN2] -o series.png|.svg|.pdf`: the focus series of
// a run trained with focus snapshots (its checkpoint or its snapshot trace) as line charts, a
// panel per measure (viz/series_chart.h); --compare overlays a second run dashed. Prints per run
// the final task measures, the first step at 99% exact (dates) and the head role changes.
#include <cstdio>
#include <memory>

#include "attnscope/cli/common.h"
#include "attnscope/cli/verb_parts.h"
#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/focus/training_series.h"
#include "attnscope/train/trainer.h"
#include "attnscope/viz/figure.h"
#include "attnscope/viz/series_chart.h"

namespace attnscope::cli {
namespace {

struct TrainingArgs {
  std::string run, compare, output, title;
  bool quiet = false;
};

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
  check_output_path(a.output, "chart");
  viz::image_format_for(a.output);  // refuse an unknown extension before reading anything
  const focus::TrainingSeries one = train::read_focus_series(a.run);
  focus::TrainingSeries two;
  std::vector<viz::SeriesRun> runs = {{a.run, &one}};
  if (!a.compare.empty()) {
    two = train::read_focus_series(a.compare);
    runs.push_back({a.compare, &two});
  }
  viz::SeriesChartOptions o;
  if (!a.title.empty()) o.title = a.title;
  viz::render_series_chart(a.output, runs, o);
  if (a.quiet) return;
  std::printf("wrote %s\n", a.output.c_str());
  for (const auto& r : runs) summarize(r.label, *r.series);
}

void setup_training(CLI::App& analyze) {
  CLI::App* sub = analyze.add_subcommand("training", "Focus over training: line charts of a run's focus series (PNG/SVG/PDF)");
  auto a = std::make_shared<TrainingArgs>();
  sub->add_option("RUN", a->run, "A checkpoint trained with --focus-every, or its focus snapshot trace")->required();
  sub->add_option("--compare", a->compare, "A second run to overlay (dashed), e.g. the same task without a bias");
  sub->add_option("--title", a->title, "Chart title");
  add_output_flag(sub, a->output);
  sub->add_flag("-q,--quiet", a->quiet, "No summary");
  sub->callback([a] { run_training_chart(*a); });
}

}  // namespace
}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_VERB_PART("analyze", attnscope::cli::setup_training);
