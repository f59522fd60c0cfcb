#include "attnscope/focus/head_average.h"

namespace attnscope::focus {

AttentionMap head_average(const io::TraceLayer& layer) {
  AttentionMap acc;  // [Q, N]
  for (int64_t h = 0; h < layer.heads; ++h) {
    AttentionMap m = head_map(layer, h);
    if (h == 0) {
      acc = std::move(m);
      continue;
    }
    for (size_t i = 0; i < acc.w.size(); ++i) acc.w[i] += m.w[i];
  }
  const float inv = 1.0f / static_cast<float>(layer.heads);
  for (float& v : acc.w) v *= inv;
  return acc;
}

}  // namespace attnscope::focus
