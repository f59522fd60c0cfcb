// Attention flow and rollout cost (focus/attention_flow.h, focus/rollout.h): random causal
// attention (softmax of N(0, 2^2) logits per head, tests/viz/fixtures.h), 12 layers, 12 heads
// fused by mean. The full N x N flow matrix over N = 16..256, one row (the last token, the
// common use) over N = 16..512, and rollout. bench/focus_flow.sh adds the networkx reference
// at N = 32 and prints the speed-up. Run: build/bench/bench_focus_flow (--benchmark_format=json).
#include <benchmark/benchmark.h>

#include "../tests/viz/fixtures.h"
#include "attnscope/focus/attention_flow.h"
#include "attnscope/focus/head_fusion.h"
#include "attnscope/focus/rollout.h"

using namespace attnscope;

namespace {
constexpr int64_t kLayers = 12, kHeads = 12;

std::vector<focus::AttentionMap> random_causal_stack(int64_t T) {
  const io::Trace t = fixture::self_trace(T, kLayers, kHeads, /*seed=*/7);
  std::vector<int64_t> layers;
  for (int64_t l = 0; l < kLayers; ++l) layers.push_back(l);
  return focus::fused_layers(t, layers, focus::HeadFusion::mean);
}
}  // namespace

static void BM_FlowFull(benchmark::State& state) {
  const auto stack = random_causal_stack(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(focus::attention_flow(stack).w.data());
  state.counters["pairs/s"] =
      benchmark::Counter(double(state.range(0) * state.range(0)) * double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FlowFull)->ArgName("N")->Arg(16)->Arg(32)->Arg(64)->Arg(128)->Arg(256)
    ->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

static void BM_FlowRow(benchmark::State& state) {
  const auto stack = random_causal_stack(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(focus::attention_flow_row(stack, state.range(0) - 1).w.data());
}
BENCHMARK(BM_FlowRow)->ArgName("N")->Arg(16)->Arg(32)->Arg(64)->Arg(128)->Arg(256)->Arg(512)
    ->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

static void BM_Rollout(benchmark::State& state) {
  const auto stack = random_causal_stack(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(focus::attention_rollout(stack).w.data());
}
BENCHMARK(BM_Rollout)->ArgName("N")->Arg(128)->Arg(512)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
