// Measures where each head of a trace looks and names its role (focus/head_stats.h: what
// `attnscope analyze` reports), then rolls attention out through the self-attention layers
// (Abnar & Zuidema 2020) to see which input tokens the last position draws on.
//   analyze_trace TRACE
#include <attnscope/focus/head_stats.h>
#include <attnscope/focus/layer_stacks.h>
#include <attnscope/focus/rollout.h>
#include <attnscope/io/trace_io.h>

#include <cstdio>

using namespace attnscope;

int main(int argc, char** argv) try {
  if (argc < 2) {
    std::fprintf(stderr, "usage: analyze_trace TRACE\n");
    return 2;
  }
  const io::Trace trace = io::read_trace(argv[1]);
  focus::FocusSums sums;  // mergeable: add() many traces, or merge() shards
  sums.add(trace);
  for (const focus::LayerSums& layer : sums.layers)
    for (size_t h = 0; h < layer.heads.size(); ++h) {
      const focus::HeadReport r = focus::head_report(layer.heads[h]);
      std::printf("%s head %zu: %s (entropy %.2f nats, max weight %.2f)\n", layer.name.c_str(), h, r.role.c_str(),
                  r.entropy, r.max_weight);
    }
  for (const focus::LayerStack& stack : focus::self_attention_stacks(trace)) {
    const focus::AttentionMap roll = focus::attention_rollout(trace, stack.layers);
    const io::TraceSequence* seq = trace.find_sequence(stack.sequence);
    const float* last = roll.w.data() + (roll.rows - 1) * roll.cols;  // the last position's row
    int64_t best = 0;
    for (int64_t k = 1; k < roll.cols; ++k)
      if (last[k] > last[best]) best = k;
    std::printf("rollout over %zu layers of '%s': the last token draws most on '%s' (%.2f)\n", stack.layers.size(),
                stack.sequence.c_str(), seq->tokens[best].c_str(), last[best]);
  }
} catch (const std::exception& e) {
  std::fprintf(stderr, "analyze_trace: %s\n", e.what());
  return 1;
}
