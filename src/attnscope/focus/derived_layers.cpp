#include "attnscope/focus/derived_layers.h"

#include "attnscope/core/error.h"
#include "attnscope/focus/attention_flow.h"
#include "attnscope/focus/layer_stacks.h"
#include "attnscope/focus/rollout.h"

namespace attnscope::focus {

void add_derived_layers(io::Trace& trace, bool rollout, bool flow, HeadFusion fusion) {
  if (!rollout && !flow) return;
  const std::vector<LayerStack> stacks = self_attention_stacks(trace);
  if (stacks.empty())
    throw ConfigError("rollout and flow need self-attention layers with kept weights; this trace has none");
  std::vector<io::TraceLayer> derived;
  for (const LayerStack& st : stacks) {
    const int64_t T = trace.layers[st.layers.front()].keys;
    if (flow && T > kMaxDerivedFlowTokens)
      throw ConfigError("the flow matrix of sequence '" + st.sequence + "' (" + std::to_string(T) + " tokens) is too costly to show (at most " +
                        std::to_string(kMaxDerivedFlowTokens) + "); analyze --flow --query Q computes one row");
    auto layer = [&](const char* kind, AttentionMap m) {
      io::TraceLayer L;
      L.name = std::string(kind) + ":" + st.sequence;
      L.query_seq = L.key_seq = st.sequence;
      L.mechanism = kind;
      L.heads = 1;
      L.queries = m.rows;
      L.keys = m.cols;
      L.weights = std::move(m.w);
      derived.push_back(std::move(L));
    };
    if (rollout) layer("rollout", attention_rollout(trace, st.layers, fusion));
    if (flow) layer("flow", attention_flow(trace, st.layers, fusion));
  }
  for (auto& L : derived) trace.layers.push_back(std::move(L));
}

}  // namespace attnscope::focus
