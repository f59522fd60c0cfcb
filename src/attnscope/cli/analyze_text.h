// What `analyze MODEL TEXT|--corpus` measures on each text beyond its trace's head statistics,
// for imported language models: the faithfulness table (raw / rollout / flow and the gradient
// methods against leave-one-out and input gradients), head importance (ablation and gradient),
// and, for one TEXT, the attributions themselves. Accumulates over texts; writes its report keys.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "attnscope/focus/faithfulness.h"
#include "attnscope/focus/head_stats.h"
#include "attnscope/models/open_model.h"

namespace attnscope::cli {

struct TextMeasures {
  bool faithfulness = false, head_importance = false, attributions = false;
  focus::HeadFusion fusion = focus::HeadFusion::mean;
  const focus::TokenCounts* counts = nullptr;  // corpus token counts (rare-token measure), may be null

  // Runs the text (its trace into sums) and whatever is switched on.
  void add(models::TextTracer& tracer, const std::string& text, focus::FocusSums& sums);
  // Adds "faithfulness", "head_importance", "attributions" (the last text's) as switched on.
  void write(nlohmann::json& report, const models::TextTracer& tracer) const;
  // The faithfulness tables on stdout.
  void print() const;

 private:
  focus::FaithfulnessMean vs_loo_, vs_gradient_;
  std::vector<double> ablation_, gradient_;  // per layer x head sums over texts
  int64_t texts_ = 0;
  nlohmann::json last_;  // the last text's attributions
};

}  // namespace attnscope::cli
