// Forward + backward time of every attention mechanism on one typical shape, and its ratio to
// scaled dot-product attention (the fused multi-head path) measured in the same run.
//   shape: B = 4 sequences, T = 128 queries, N = 128 keys, C = 256 (4 heads of 64 for the
//   multi-head mechanisms; additive/concat scores use A = 64 hidden units).
// Each iteration: forward, L = sum(context * W) with a fixed W, backward into every parameter
// and into the inputs.
// Usage: bench_attention_mechanisms [--benchmark_min_time=0.2s] ; prints the ratio table last.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <functional>
#include <map>
#include <memory>

#include "attnscope/attention/hard.h"
#include "attnscope/attention/local.h"
#include "attnscope/attention/multi_head.h"
#include "attnscope/attention/sentinel.h"
#include "attnscope/attention/soft.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"

using namespace attnscope;
using namespace attnscope::attention;

namespace {

constexpr int64_t B = 4, T = 128, N = 128, C = 256, NH = 4;

// A mechanism under test: builds its module once, then one step = forward + backward.
struct Case {
  std::shared_ptr<nn::Module> module;
  std::function<Tensor()> forward;  // returns the context
  std::vector<std::shared_ptr<Tensor>> inputs{};  // also receive gradients (luong_dot has no parameters)
};

Case make_case_impl(const std::string& name, Rng& rng, std::shared_ptr<Tensor> x, std::shared_ptr<Tensor> mem);

Case make_case(const std::string& name, Rng& rng) {
  auto x = std::make_shared<Tensor>(Tensor::randn({B, T, C}, rng).requires_grad_());
  auto mem = std::make_shared<Tensor>(Tensor::randn({B, N, C}, rng).requires_grad_());
  Case c = make_case_impl(name, rng, x, mem);
  c.inputs = {x, mem};
  return c;
}

Case make_case_impl(const std::string& name, Rng& rng, std::shared_ptr<Tensor> x, std::shared_ptr<Tensor> mem) {
  auto mha = [&](MultiHeadConfig cfg) {
    cfg.dim = C;
    cfg.num_heads = NH;
    cfg.causal = true;
    auto m = std::make_shared<MultiHeadAttention>(cfg, rng);
    return Case{m, [m, x] { return m->forward(*x).context; }};
  };
  auto soft = [&](Score s) {
    auto m = std::make_shared<SoftAttention>(SoftAttentionConfig{.query_dim = C, .key_dim = C, .attn_dim = 64, .score = s}, rng);
    return Case{m, [m, x, mem] { return m->forward(*x, *mem).context; }};
  };
  if (name == "scaled_dot") return mha({});
  if (name == "scaled_dot_reference") return mha({.backend = Backend::reference});
  if (name == "gqa_1kv") return mha({.num_kv_heads = 1});
  if (name == "sliding_window_32") return mha({.window = 32});
  if (name == "alibi") return mha({.position_bias = PositionBias::alibi});
  if (name == "rope") return mha({.rope = true});
  if (name == "t5_relative_bias") return mha({.position_bias = PositionBias::relative});
  if (name == "sparsemax") return mha({.normalizer = Normalizer::sparsemax});
  if (name == "entmax15") return mha({.normalizer = Normalizer::entmax15});
  if (name == "adaptive_span") return mha({.adaptive_span = 64, .adaptive_span_ramp = 16});
  if (name == "additive_bahdanau") return soft(Score::additive);
  if (name == "luong_dot") return soft(Score::dot);
  if (name == "luong_general") return soft(Score::general);
  if (name == "luong_concat") return soft(Score::concat);
  if (name == "local_p") {
    auto m = std::make_shared<LocalAttention>(
        LocalAttentionConfig{.align = {.query_dim = C, .key_dim = C, .score = Score::general}, .window = 8}, rng);
    return Case{m, [m, x, mem] { return m->forward(*x, *mem).context; }};
  }
  auto hard = [&](HardMode mode, int64_t k) {
    auto m = std::make_shared<HardAttention>(
        HardAttentionConfig{.score = {.query_dim = C, .key_dim = C, .score = Score::general}, .mode = mode, .k = k}, rng);
    return Case{m, [m, x, mem, mode] {
                  AttentionResult r = m->forward(*x, *mem);
                  if (mode != HardMode::sample) return r.context;
                  // REINFORCE: the policy-gradient term rides along with the context.
                  std::vector<double> reward(B, 1.0);
                  Tensor l = reinforce_loss(r.extras.at("log_prob"), reward, 0.5, r.extras.at("entropy"), 0.01);
                  return ops::add(r.context, ops::reshape(l, Shape{1, 1, 1}));
                }};
  };
  if (name == "hard_reinforce") return hard(HardMode::sample, 1);
  if (name == "hard_gumbel_st") return hard(HardMode::gumbel, 1);
  if (name == "hard_topk_8") return hard(HardMode::topk, 8);
  if (name == "sentinel") {
    auto s = std::make_shared<Tensor>(Tensor::randn({B, T, C}, rng));
    auto m = std::make_shared<SentinelAttention>(SentinelAttentionConfig{.hidden_dim = C, .region_dim = C, .attn_dim = 64}, rng);
    return Case{m, [m, x, mem, s] { return m->forward(*x, *mem, *s).context; }};
  }
  std::fprintf(stderr, "unknown mechanism %s\n", name.c_str());
  std::abort();
}

const char* kMechanisms[] = {"scaled_dot",     "scaled_dot_reference", "gqa_1kv",         "sliding_window_32",
                             "alibi",          "rope",                 "t5_relative_bias", "sparsemax",
                             "entmax15",       "adaptive_span",        "additive_bahdanau", "luong_dot",
                             "luong_general",  "luong_concat",         "local_p",         "hard_reinforce",
                             "hard_gumbel_st", "hard_topk_8",          "sentinel"};

void BM_Mechanism(benchmark::State& state, const std::string& name) {
  Rng rng(1);
  Case c = make_case(name, rng);
  Tensor w = Tensor::randn({B, T, C}, rng);
  for (auto _ : state) {
    Tensor ctx = c.forward();
    autograd::backward(ops::sum(ops::mul(ctx, w)));
    c.module->zero_grad();
    for (auto& t : c.inputs) t->zero_grad();
  }
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(B * T), benchmark::Counter::kIsIterationInvariantRate);
}

// Collects each benchmark's time per iteration for the ratio table.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs)
      if (r.run_type == Run::RT_Iteration) {
        times[r.run_name.function_name] = r.GetAdjustedRealTime();
        cpu[r.run_name.function_name] = r.GetAdjustedCPUTime();
      }
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> times, cpu;  // ms (wall, and CPU of the main thread)
};

}  // namespace

int main(int argc, char** argv) {
  for (const char* m : kMechanisms)
    benchmark::RegisterBenchmark(m, BM_Mechanism, std::string(m))->Unit(benchmark::kMillisecond)->UseRealTime();
  benchmark::Initialize(&argc, argv);
  RatioReporter rep;
  benchmark::RunSpecifiedBenchmarks(&rep);
  if (!rep.times.count("scaled_dot")) return 0;
  const double base = rep.times["scaled_dot"], base_cpu = rep.cpu["scaled_dot"];
  std::printf("\nforward+backward, B=%lld T=%lld N=%lld C=%lld (NH=%lld), ratio to scaled_dot (fused):\n",
              (long long)B, (long long)T, (long long)N, (long long)C, (long long)NH);
  // On a loaded machine prefer ATTNSCOPE_THREADS=1 and the CPU column (main-thread CPU time).
  std::printf("| mechanism | wall ms / step | ratio | CPU ms / step | CPU ratio |\n|---|---:|---:|---:|---:|\n");
  for (const char* m : kMechanisms)
    if (rep.times.count(m))
      std::printf("| %s | %.2f | %.2f | %.2f | %.2f |\n", m, rep.times[m], rep.times[m] / base, rep.cpu[m], rep.cpu[m] / base_cpu);
  benchmark::Shutdown();
  return 0;
}
