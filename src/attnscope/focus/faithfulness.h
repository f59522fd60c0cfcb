// Faithfulness of attention-based explanations (Abnar & Zuidema 2020, Table 1): how well the
// importance a method assigns to each input token ranks like the tokens' real influence on the
// output (leave-one-out: the drop in the output's log-probability when the token is removed; or
// input gradients). For one output position `query` of a self-attention stack, per layer l (the
// stack up to l):
//   raw      the head-fused attention row of layer l
//   rollout  row `query` of the rollout through layers 1..l
//   flow     row `query` of the attention flow through layers 1..l
// each compared with the reference importance by Spearman's rho. Other per-layer explanations
// (gradient-based ones, computed by the caller) join the same rows through add_method.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "attnscope/focus/head_fusion.h"
#include "attnscope/io/trace.h"

namespace attnscope::focus {

// One layer: Spearman's rho of each method (NaN when undefined), methods in insertion order.
struct FaithfulnessRow {
  std::string layer;
  std::vector<std::string> methods;
  std::vector<double> rho;
  double get(std::string_view method) const;  // NaN when the row has no such method
};

// reference[j]: importance of input token j (size T). ShapeError/ConfigError as the stack's layers.
std::vector<FaithfulnessRow> explanation_faithfulness(const io::Trace& trace, const std::vector<int64_t>& layers,
                                                      int64_t query, const std::vector<double>& reference,
                                                      HeadFusion fusion = HeadFusion::mean);

// Appends `method` to every row: per_layer[l] is that method's token importance at layer l
// (size T). ShapeError when the layer count or a length differs.
void add_method(std::vector<FaithfulnessRow>& rows, const std::string& method,
                const std::vector<std::vector<double>>& per_layer, const std::vector<double>& reference);

// Means over sentences, skipping NaN entries (a sentence with constant importance tells nothing).
struct FaithfulnessMean {
  std::vector<std::string> layers, methods;
  std::vector<double> sum;  // [layer * methods + method]
  std::vector<int64_t> n;
  void add(const std::vector<FaithfulnessRow>& rows);
  std::vector<FaithfulnessRow> mean() const;
  int64_t sentences() const;  // the most sentences any entry has
  // The table as text: a header line ("  layer" and the methods), then one line per layer.
  std::vector<std::string> lines() const;
};

}  // namespace attnscope::focus
