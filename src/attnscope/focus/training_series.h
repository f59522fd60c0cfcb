// Focus over training as numbers: at every focus snapshot of a run (train/trainer.h,
// --focus-every), a point of measures — the entropy of every head of the snapshot trace
// (head_stats.h) and the task's own focus quality (dates: exact, alignment accuracy, AER;
// sentiment: rationale accuracy; captioning: pointing) — and the role of every head as it
// appears. Stored as JSON in the checkpoint's training state and in the snapshot trace's meta
// ("focus_series"); `analyze training` draws it (viz/series_chart.h).
// Measure names: "entropy/<layer>/h<k>" for heads (a chart panel per layer, a line per head),
// plain names ("exact", "alignment", "aer") for task measures (a panel each).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "attnscope/io/trace.h"

namespace attnscope::focus {

struct SeriesPoint {
  int64_t step = 0;
  std::map<std::string, double> values;       // measure -> value
  std::map<std::string, std::string> roles;   // "<layer>/h<k>" -> role (head_stats.h)
};

struct TrainingSeries {
  std::vector<SeriesPoint> points;  // in step order
  // Every measure name, sorted (head measures after task measures).
  std::vector<std::string> measures() const;
  // Points with step <= `step` only (a resumed run continues from there).
  void truncate_after(int64_t step);
  bool empty() const { return points.empty(); }
};

// The head measures of one snapshot trace: mean row entropy (nats) and role of every head of
// every dense layer. ConfigError for a trace without layers.
SeriesPoint trace_point(const io::Trace& trace, int64_t step);

// The first step whose `measure` reaches `threshold` (>=), or -1 (e.g. steps to 99% exact).
int64_t first_step_reaching(const TrainingSeries& s, const std::string& measure, double threshold);
// Head role changes: "<layer>/h<k>: broad@0 focused@300" for every head whose role changed.
std::vector<std::string> role_changes(const TrainingSeries& s);

// The key of the meta entry (trace) and training-state field (checkpoint) that hold a series.
inline constexpr const char* kSeriesKey = "focus_series";

// [{"step": s, "values": {...}, "roles": {...}}, ...]
nlohmann::json to_json(const TrainingSeries& s);
// FormatError naming `what` for anything that is not such an array (steps must increase).
TrainingSeries series_from_json(const nlohmann::json& j, const std::string& what);

// Splits a measure name into its chart panel and line: "entropy/decoder.cross/h2" ->
// {"entropy decoder.cross", "h2"}; "exact" -> {"exact", ""}.
std::pair<std::string, std::string> panel_of(const std::string& measure);

}  // namespace attnscope::focus
