// GPT-2-small-shaped forward (12 layers, 12 heads, d = 768, vocab 50257, random weights) at
// T = 128 and 1024 tokens, with attention capture off, stats and dense: tokens/s; and generation
// (one token per step after a 128-token prompt).
// bench/models_gpt2.sh runs this and a plain-PyTorch GPT-2 of the same shape, printing ratios.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>

#include "attnscope/core/rng.h"
#include "attnscope/attention/recorder.h"
#include "attnscope/models/gpt2.h"

using namespace attnscope;
using namespace attnscope::models;

namespace {

// Random weights under the HF GPT2Model names, shaped from the config (no file needed).
class RandomGpt2Source : public WeightSource {
 public:
  explicit RandomGpt2Source(const ModelConfig& c) {
    const int64_t C = c.dim, H = c.hidden;
    add("wte.weight", {c.vocab, C});
    add("wpe.weight", {c.max_seq, C});
    add("ln_f.weight", {C});
    add("ln_f.bias", {C});
    for (int64_t i = 0; i < c.n_layers; ++i) {
      const std::string p = "h." + std::to_string(i) + ".";
      add(p + "ln_1.weight", {C});
      add(p + "ln_1.bias", {C});
      add(p + "attn.c_attn.weight", {C, 3 * C});
      add(p + "attn.c_attn.bias", {3 * C});
      add(p + "attn.c_proj.weight", {C, C});
      add(p + "attn.c_proj.bias", {C});
      add(p + "ln_2.weight", {C});
      add(p + "ln_2.bias", {C});
      add(p + "mlp.c_fc.weight", {C, H});
      add(p + "mlp.c_fc.bias", {H});
      add(p + "mlp.c_proj.weight", {H, C});
      add(p + "mlp.c_proj.bias", {C});
    }
  }
  const std::string& path() const override { return path_; }
  bool has(const std::string& name) const override { return shapes_.count(name) > 0; }
  std::vector<int64_t> shape(const std::string& name) const override { return shapes_.at(name); }
  std::vector<float> read(const std::string& name) const override {
    int64_t n = 1;
    for (int64_t d : shapes_.at(name)) n *= d;
    std::vector<float> v(n);
    for (auto& x : v) x = static_cast<float>(rng_.normal(0.0, 0.02));
    return v;
  }

 private:
  void add(const std::string& name, std::vector<int64_t> shape) { shapes_[name] = std::move(shape); }
  std::string path_ = "<random gpt2-small>";
  std::map<std::string, std::vector<int64_t>> shapes_;
  mutable Rng rng_{1234};
};

Gpt2Model& model() {
  static std::unique_ptr<Gpt2Model> m = [] {
    ModelConfig c;
    c.arch = Arch::gpt2;
    c.dim = 768;
    c.n_layers = 12;
    c.n_heads = c.n_kv_heads = 12;
    c.head_dim = 64;
    c.hidden = 3072;
    c.vocab = 50257;
    c.max_seq = 1024;
    c.activation = "gelu_new";
    return std::make_unique<Gpt2Model>(c, RandomGpt2Source(c));
  }();
  return *m;
}

// Args: T, capture (0 off, 1 stats, 2 dense).
void BM_Gpt2Forward(benchmark::State& state) {
  const int64_t T = state.range(0);
  const int capture = static_cast<int>(state.range(1));
  Gpt2Model& m = model();
  std::vector<int32_t> ids(T);
  Rng rng(7);
  for (auto& id : ids) id = static_cast<int32_t>(rng.below(50257));
  m.reset();
  (void)m.forward(ids, nullptr);  // warm-up (KV cache and buffers allocated), as the PyTorch side does
  for (auto _ : state) {
    std::unique_ptr<attention::Recorder> cap;
    if (capture) cap = std::make_unique<attention::Recorder>(capture == 1 ? attention::Keep::stats() : attention::Keep::dense());
    m.reset();
    auto out = m.forward(ids, cap.get());
    benchmark::DoNotOptimize(out.values.data());
  }
  state.counters["tokens_per_s"] = benchmark::Counter(static_cast<double>(T), benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(capture == 0 ? "capture=off" : capture == 1 ? "capture=stats" : "capture=dense");
}

// Generation: after a 128-token prompt, 32 single-token steps against the KV cache (capture off).
void BM_Gpt2Decode(benchmark::State& state) {
  Gpt2Model& m = model();
  std::vector<int32_t> prompt(128);
  Rng rng(7);
  for (auto& id : prompt) id = static_cast<int32_t>(rng.below(50257));
  constexpr int kSteps = 32;
  for (auto _ : state) {
    state.PauseTiming();
    m.reset();
    (void)m.forward(prompt, nullptr);
    state.ResumeTiming();
    for (int i = 0; i < kSteps; ++i) {
      const int32_t next = static_cast<int32_t>((i * 7919) % 50257);
      auto out = m.forward(std::span<const int32_t>(&next, 1), nullptr);
      benchmark::DoNotOptimize(out.values.data());
    }
  }
  state.counters["tokens_per_s"] = benchmark::Counter(kSteps, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel("capture=off");
}

}  // namespace

BENCHMARK(BM_Gpt2Decode)->Name("BM_Gpt2Decode/T:1")->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Gpt2Forward)
    ->ArgNames({"T", "capture"})
    ->ArgsProduct({{128}, {0, 1, 2}})
    ->Iterations(5)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Gpt2Forward)
    ->ArgNames({"T", "capture"})
    ->ArgsProduct({{1024}, {0, 1, 2}})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
