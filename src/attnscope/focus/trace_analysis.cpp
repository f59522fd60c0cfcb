#include "attnscope/focus/trace_analysis.h"

#include <utility>
#include <vector>

#include "attnscope/core/error.h"
#include "attnscope/focus/attention_flow.h"
#include "attnscope/focus/head_stats.h"
#include "attnscope/focus/layer_stacks.h"
#include "attnscope/focus/rollout.h"

namespace attnscope::focus {
namespace {

using nlohmann::json;

json matrix_json(const std::vector<float>& w, int64_t rows, int64_t cols) {
  json m = json::array();
  for (int64_t r = 0; r < rows; ++r)
    m.push_back(std::vector<float>(w.begin() + r * cols, w.begin() + (r + 1) * cols));
  return m;
}

}  // namespace

json sequence_focus(const io::Trace& t, const TraceAnalysisOptions& a) {
  const std::vector<LayerStack> stacks = self_attention_stacks(t);
  if (stacks.empty())
    throw ConfigError("analyze: rollout and flow need self-attention layers with kept weights; this trace has " +
                      std::to_string(t.layers.size()) + " layer(s) of cross-attention or statistics only");
  json out = json::array();
  for (const auto& st : stacks) {
    const io::TraceSequence* seq = t.find_sequence(st.sequence);
    json s = {{"name", st.sequence}, {"tokens", seq->tokens}, {"layers", json::array()}};
    if (a.flow && a.query >= 0) s["query"] = a.query;
    for (int64_t l : st.layers) s["layers"].push_back(t.layers[l].name);
    if (a.rollout) {
      const AttentionMap r = attention_rollout(t, st.layers, a.fusion);
      s["rollout"] = matrix_json(r.w, r.rows, r.cols);
    }
    if (a.flow) {
      const int64_t T = t.layers[st.layers.front()].keys;
      if (a.query >= T)
        throw ConfigError("analyze: query row " + std::to_string(a.query) + " is out of range for sequence '" +
                          st.sequence + "' of " + std::to_string(T) + " tokens");
      const AttentionMap f = a.query >= 0 ? attention_flow_row(t, st.layers, a.query, a.fusion)
                                          : attention_flow(t, st.layers, a.fusion);
      s["flow"] = matrix_json(f.w, f.rows, f.cols);
    }
    out.push_back(std::move(s));
  }
  return out;
}

json analyze_trace(const io::Trace& t, const std::string& source, const TraceAnalysisOptions& o,
                   FocusSums* sums_out) {
  json report = {{"attnscope_report", 1}, {"source", source}};
  FocusSums sums;
  sums.add(t);
  if (o.rollout || o.flow) report["sequences"] = sequence_focus(t, o);
  const json j = to_json(sums);
  for (auto it = j.begin(); it != j.end(); ++it) report[it.key()] = it.value();
  if (sums_out) *sums_out = std::move(sums);
  return report;
}

}  // namespace attnscope::focus
