// Animation cost: a 200-frame 800x600 GIF of a 64-token trace (the figure), split into
// drawing the frames (Cairo + Pango) and encoding them (palette mapping + giflib LZW); plus a
// static heatmap PNG. Run: build/bench_viz_gif (--benchmark_format=json for machines).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>

#include "../tests/viz/fixtures.h"
#include "attnscope/focus/attention_map.h"
#include "attnscope/viz/animation_output.h"
#include "attnscope/viz/heatmap.h"
#include "attnscope/viz/token_animation.h"

using namespace attnscope;

namespace {
// 64 tokens, 200 frames: 25 fps x 0.125 s per token = 3.125 frames per token.
viz::AnimationOptions gif_options() {
  viz::AnimationOptions o;
  o.width = 800;
  o.height = 600;
  o.fps = 25;
  o.seconds_per_token = 0.125;
  o.hold = 2;
  return o;
}

class NullSink : public viz::FrameSink {
 public:
  void add(const viz::Frame& f, double) override { benchmark::DoNotOptimize(f.px.data()); }
  void finish() override {}
};

const std::string kOut = (std::filesystem::temp_directory_path() / "attnscope_bench_viz.gif").string();
}  // namespace

static void BM_Gif200Frames800x600_64Tokens(benchmark::State& state) {
  const io::Trace t = fixture::self_trace(64, 1, 4);
  viz::TokenAnimation anim(t, 0, focus::kHeadMean, gif_options());
  if (anim.frame_count() != 200) state.SkipWithError("expected 200 frames");
  for (auto _ : state)
    viz::write_animation({kOut, 800, 600, 25, "viridis", {}}, [&](viz::FrameSink& s) { anim.render(s); });
  state.counters["frames/s"] = benchmark::Counter(200.0 * double(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["gif_KiB"] = double(std::filesystem::file_size(kOut)) / 1024.0;
  std::filesystem::remove(kOut);
}
BENCHMARK(BM_Gif200Frames800x600_64Tokens)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

static void BM_DrawOnly200Frames800x600_64Tokens(benchmark::State& state) {
  const io::Trace t = fixture::self_trace(64, 1, 4);
  viz::TokenAnimation anim(t, 0, focus::kHeadMean, gif_options());
  NullSink sink;
  for (auto _ : state) anim.render(sink);
  state.counters["frames/s"] = benchmark::Counter(200.0 * double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DrawOnly200Frames800x600_64Tokens)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

static void BM_HeatmapPng(benchmark::State& state) {
  const io::Trace t = fixture::self_trace(state.range(0), 1, 1);
  const std::string out = (std::filesystem::temp_directory_path() / "attnscope_bench_heatmap.png").string();
  for (auto _ : state) viz::render_heatmap(t, 0, 0, out);
  std::filesystem::remove(out);
}
BENCHMARK(BM_HeatmapPng)->Arg(64)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
