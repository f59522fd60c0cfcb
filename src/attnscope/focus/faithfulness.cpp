#include "attnscope/focus/faithfulness.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "attnscope/core/error.h"
#include "attnscope/focus/attention_flow.h"
#include "attnscope/focus/rank_correlation.h"
#include "attnscope/focus/rollout.h"

namespace attnscope::focus {

double FaithfulnessRow::get(std::string_view method) const {
  for (size_t i = 0; i < methods.size(); ++i)
    if (methods[i] == method) return rho[i];
  return std::nan("");
}

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
    f.methods = {"raw", "rollout", "flow"};
    f.rho = {spearman_rho(row(stack[l], query), reference), spearman_rho(row(attention_rollout(prefix), query), reference),
             spearman_rho(row(attention_flow_row(prefix, query), 0), reference)};
    out.push_back(std::move(f));
  }
  return out;
}

void add_method(std::vector<FaithfulnessRow>& rows, const std::string& method,
                const std::vector<std::vector<double>>& per_layer, const std::vector<double>& reference) {
  if (per_layer.size() != rows.size())
    throw ShapeError("faithfulness: " + method + " has " + std::to_string(per_layer.size()) + " layers, the table " +
                     std::to_string(rows.size()));
  for (size_t l = 0; l < rows.size(); ++l) {
    if (per_layer[l].size() != reference.size())
      throw ShapeError("faithfulness: " + method + " scores " + std::to_string(per_layer[l].size()) + " tokens, the reference " +
                       std::to_string(reference.size()));
    rows[l].methods.push_back(method);
    rows[l].rho.push_back(spearman_rho(per_layer[l], reference));
  }
}

void FaithfulnessMean::add(const std::vector<FaithfulnessRow>& rows) {
  if (rows.empty()) return;
  if (layers.empty()) {
    for (const auto& r : rows) layers.push_back(r.layer);
    methods = rows.front().methods;
    sum.assign(layers.size() * methods.size(), 0.0);
    n.assign(sum.size(), 0);
  }
  if (rows.size() != layers.size()) throw ConfigError("faithfulness: sentences with different layer counts");
  for (size_t l = 0; l < rows.size(); ++l) {
    if (rows[l].methods != methods) throw ConfigError("faithfulness: sentences with different explanation methods");
    for (size_t m = 0; m < methods.size(); ++m) {
      const double v = rows[l].rho[m];
      if (std::isnan(v)) continue;
      sum[l * methods.size() + m] += v;
      ++n[l * methods.size() + m];
    }
  }
}

std::vector<FaithfulnessRow> FaithfulnessMean::mean() const {
  std::vector<FaithfulnessRow> out;
  for (size_t l = 0; l < layers.size(); ++l) {
    FaithfulnessRow r{layers[l], methods, {}};
    for (size_t m = 0; m < methods.size(); ++m) {
      const size_t i = l * methods.size() + m;
      r.rho.push_back(n[i] ? sum[i] / static_cast<double>(n[i]) : std::nan(""));
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::string> FaithfulnessMean::lines() const {
  char cell[64];
  std::string head = "  layer               ";
  for (const auto& name : methods) {
    std::snprintf(cell, sizeof cell, " %14s", name.c_str());
    head += cell;
  }
  std::vector<std::string> out = {head};
  for (const auto& r : mean()) {
    std::snprintf(cell, sizeof cell, "  %-20s", r.layer.c_str());
    std::string line = cell;
    for (double v : r.rho) {
      std::snprintf(cell, sizeof cell, " %14.3f", v);
      line += cell;
    }
    out.push_back(line);
  }
  return out;
}

int64_t FaithfulnessMean::sentences() const { return n.empty() ? 0 : *std::max_element(n.begin(), n.end()); }

}  // namespace attnscope::focus
