#include "attnscope/focus/faithfulness.h"

#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/focus/attention_flow.h"
#include "attnscope/focus/rank_correlation.h"
#include "attnscope/focus/rollout.h"

namespace attnscope::focus {

std::vector<FaithfulnessRow> explanation_faithfulness(const io::Trace& trace, const std::vector<int64_t>& layers,
                                                      int64_t query, const std::vector<double>& reference,
                                                      HeadFusion fusion) {
  const std::vector<AttentionMap> stack = fused_layers(trace, layers, fusion);
  const int64_t T = stack.front().cols;
  if (static_cast<int64_t>(reference.size()) != T)
    throw ShapeError("faithfulness: " + std::to_string(reference.size()) + " importance scores for " + std::to_string(T) +
                     " tokens");
  if (query < 0 || query >= T) throw ConfigError("faithfulness: query " + std::to_string(query) + " out of range");
  auto row = [&](const AttentionMap& m, int64_t r) {
    return std::vector<double>(m.w.begin() + r * m.cols, m.w.begin() + (r + 1) * m.cols);
  };
  std::vector<FaithfulnessRow> out;
  for (size_t l = 0; l < stack.size(); ++l) {
    const std::vector<AttentionMap> prefix(stack.begin(), stack.begin() + static_cast<int64_t>(l) + 1);
    FaithfulnessRow f;
    f.layer = trace.layers[layers[l]].name;
    f.raw = spearman_rho(row(stack[l], query), reference);
    f.rollout = spearman_rho(row(attention_rollout(prefix), query), reference);
    f.flow = spearman_rho(row(attention_flow_row(prefix, query), 0), reference);
    out.push_back(f);
  }
  return out;
}

void FaithfulnessMean::add(const std::vector<FaithfulnessRow>& rows) {
  if (layers.empty()) {
    for (const auto& r : rows) layers.push_back(r.layer);
    raw.assign(rows.size(), 0);
    rollout = flow = raw;
    n_raw.assign(rows.size(), 0);
    n_rollout = n_flow = n_raw;
  }
  if (rows.size() != layers.size()) throw ConfigError("faithfulness: sentences with different layer counts");
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!std::isnan(rows[i].raw)) raw[i] += rows[i].raw, ++n_raw[i];
    if (!std::isnan(rows[i].rollout)) rollout[i] += rows[i].rollout, ++n_rollout[i];
    if (!std::isnan(rows[i].flow)) flow[i] += rows[i].flow, ++n_flow[i];
  }
}

std::vector<FaithfulnessRow> FaithfulnessMean::mean() const {
  std::vector<FaithfulnessRow> out;
  auto m = [](double s, int64_t n) { return n ? s / static_cast<double>(n) : std::nan(""); };
  for (size_t i = 0; i < layers.size(); ++i)
    out.push_back({layers[i], m(raw[i], n_raw[i]), m(rollout[i], n_rollout[i]), m(flow[i], n_flow[i])});
  return out;
}

}  // namespace attnscope::focus
