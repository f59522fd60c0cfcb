// The report of one trace (what `attnscope analyze TRACE -o report.json` writes, and what the
// Python module's `analyze` returns): head measures and roles (focus/head_stats.h), and on request
// rollout and attention flow over every self-attention stack. The CLI and python/ call this one
// function, so their reports are the same document.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "attnscope/focus/head_fusion.h"
#include "attnscope/focus/head_stats.h"
#include "attnscope/io/trace.h"

namespace attnscope::focus {

struct TraceAnalysisOptions {
  bool rollout = false, flow = false;
  int64_t query = -1;  // with flow: only this query row (-1: every row)
  HeadFusion fusion = HeadFusion::mean;
};

// Rollout and/or flow of every self-attention stack of `t`: [{name, tokens, layers, rollout?,
// flow?, query?}]. ConfigError when the trace has no self-attention stack or the query row is out
// of range.
nlohmann::json sequence_focus(const io::Trace& t, const TraceAnalysisOptions& o);

// The whole report of one trace: {"attnscope_report": 1, "source": source, head measures,
// "sequences" when rollout or flow is asked}. ValueError for NaN or negative weights.
// `sums` (may be null) receives the head sums behind the report (the CLI prints roles from them).
nlohmann::json analyze_trace(const io::Trace& t, const std::string& source, const TraceAnalysisOptions& o = {},
                             FocusSums* sums = nullptr);

}  // namespace attnscope::focus
