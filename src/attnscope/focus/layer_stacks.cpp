#include "attnscope/focus/layer_stacks.h"

namespace attnscope::focus {

std::vector<LayerStack> self_attention_stacks(const io::Trace& trace) {
  std::vector<LayerStack> out;
  for (const auto& seq : trace.sequences) {
    LayerStack st{seq.name, {}};
    for (size_t i = 0; i < trace.layers.size(); ++i) {
      const io::TraceLayer& L = trace.layers[i];
      const bool derived = L.mechanism == "rollout" || L.mechanism == "flow";  // focus/derived_layers.h
      if (L.query_seq == seq.name && L.key_seq == seq.name && L.keep != io::TraceKeep::stats && L.queries == L.keys &&
          !derived)
        st.layers.push_back(static_cast<int64_t>(i));
    }
    if (!st.layers.empty()) out.push_back(std::move(st));
  }
  return out;
}

}  // namespace attnscope::focus
