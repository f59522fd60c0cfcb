// Head average: the mean over heads of a layer's attention, a common single picture of a layer
// (BertViz's and Ecco's "all heads" view).
#pragma once
#include "attnscope/focus/attention_map.h"

namespace attnscope::focus {

// mean_h W[h, q, k] over the layer's heads; [Q, N].
AttentionMap head_average(const io::TraceLayer& layer);

}  // namespace attnscope::focus
