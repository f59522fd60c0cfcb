// Faithfulness of attention-based explanations (Abnar & Zuidema 2020, Table 1): how well the
// importance a method assigns to each input token ranks like the tokens' real influence on the
// output (leave-one-out: the drop in the output's log-probability when the token is removed).
// For one output position `query` of a self-attention stack, per layer l (the stack up to l):
//   raw      the head-fused attention row of layer l
//   rollout  row `query` of the rollout through layers 1..l
//   flow     row `query` of the attention flow through layers 1..l
// each compared with the reference importance by Spearman's rho.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/focus/head_fusion.h"
#include "attnscope/io/trace.h"

namespace attnscope::focus {

struct FaithfulnessRow {
  std::string layer;
  double raw = 0, rollout = 0, flow = 0;  // Spearman's rho (NaN when undefined)
};

// reference[j]: importance of input token j (size T). ShapeError/ConfigError as the stack's layers.
std::vector<FaithfulnessRow> explanation_faithfulness(const io::Trace& trace, const std::vector<int64_t>& layers,
                                                      int64_t query, const std::vector<double>& reference,
                                                      HeadFusion fusion = HeadFusion::mean);

// Means over sentences, skipping NaN entries (a sentence with constant importance tells nothing).
struct FaithfulnessMean {
  std::vector<std::string> layers;
  std::vector<double> raw, rollout, flow;  // sums, then means
  std::vector<int64_t> n_raw, n_rollout, n_flow;
  void add(const std::vector<FaithfulnessRow>& rows);
  std::vector<FaithfulnessRow> mean() const;
};

}  // namespace attnscope::focus
