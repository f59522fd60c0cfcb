// Layer stacks: the self-attention layers over each sequence of a trace, in recorded order — the
// paths that rollout and attention flow follow from the top layer down to the input tokens (an
// encoder's "source" stack, a decoder's "target" stack, a language model's "tokens" stack).
// Cross-attention, stats-only layers and derived rollout / flow layers are in no stack.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/io/trace.h"

namespace attnscope::focus {

struct LayerStack {
  std::string sequence;         // the TraceSequence name
  std::vector<int64_t> layers;  // indices into trace.layers, lowest first
};

// One stack per sequence that has square self-attention with kept weights, in the order of the
// trace's sequences.
std::vector<LayerStack> self_attention_stacks(const io::Trace& trace);

}  // namespace attnscope::focus
