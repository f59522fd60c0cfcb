// bench/nn_gru: one GRU training step — forward, backward (BPTT) and an AdamW update — on a
// single-layer GRU over [B, T, C] with C = H, loss = mean of the outputs.
// Counters: tokens/s (B*T per step) and GFLOP/s of the GEMM work (forward 2*B*T*G*H*(C+H),
// backward twice that: dX/dh and dW). Args: B, T, H, bidirectional.
// Rates are per main-thread CPU second; on a shared machine run with ATTNSCOPE_THREADS=1.
#include <benchmark/benchmark.h>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/nn/optimizer.h"
#include "attnscope/nn/recurrent.h"

namespace {
using namespace attnscope;

void BM_gru_train_step(benchmark::State& state) {
  const int64_t B = state.range(0), T = state.range(1), H = state.range(2);
  const bool bi = state.range(3) != 0;
  Rng rng(1);
  nn::GRU gru(nn::RecurrentOptions{H, H, 1, bi}, rng);
  nn::AdamW opt(gru.named_parameters(), nn::AdamOptions{});
  Tensor x = Tensor::randn(Shape{B, T, H}, rng);
  for (auto _ : state) {
    opt.zero_grad();
    Tensor loss = ops::mean(gru.forward(x).output);
    autograd::backward(loss);
    opt.step();
  }
  const double dirs = bi ? 2.0 : 1.0;
  const double flops = dirs * 3.0 * 2.0 * B * T * 3 * H * (H + H);
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(B * T), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_gru_train_step)
    ->ArgNames({"B", "T", "H", "bi"})
    ->Args({64, 8, 64, 1})     // the reversal task's encoder layer
    ->Args({64, 32, 256, 0})   // a seq2seq-sized layer
    ->Args({32, 64, 512, 0})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
