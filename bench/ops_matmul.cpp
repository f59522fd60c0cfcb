// bench/ops_matmul: ops::matmul (OpenBLAS sgemm underneath) in GFLOP/s and % of the FP32 FMA
// peak measured at start-up (bench/peak.h). Square sizes, a batched attention-shaped product
// and a Linear layer's forward + backward. Counters: GFLOPS (2 M N K per product), pct_peak.
// Rates are per CPU second of the main thread (Google Benchmark's default) and the peak is
// measured on the same clock; on a shared machine run with ATTNSCOPE_THREADS=1 so that waiting
// for a busy second core does not count as work:  ATTNSCOPE_THREADS=1 build/bench/bench_ops_matmul
#include <benchmark/benchmark.h>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/parallel.h"
#include "flops_report.h"

namespace {
using namespace attnscope;
using bench::report_flops;

// [n, n] @ [n, n]
void BM_matmul_square(benchmark::State& state) {
  const int64_t n = state.range(0);
  Rng rng(1);
  Tensor a = Tensor::randn({n, n}, rng), b = Tensor::randn({n, n}, rng);
  autograd::NoGrad ng;
  for (auto _ : state) benchmark::DoNotOptimize(ops::matmul(a, b));
  report_flops(state, 2.0 * n * n * n);
}
BENCHMARK(BM_matmul_square)->Arg(128)->Arg(256)->Arg(512)->Arg(1024)->Arg(2048)->Unit(benchmark::kMicrosecond);

// Attention-shaped batch: [B*NH, T, HS] @ [B*NH, HS, T] (scores), HS = 64.
void BM_matmul_batched_scores(benchmark::State& state) {
  const int64_t bh = state.range(0), t = state.range(1), hs = 64;
  Rng rng(2);
  Tensor q = Tensor::randn({bh, t, hs}, rng), k = Tensor::randn({bh, t, hs}, rng);
  autograd::NoGrad ng;
  for (auto _ : state) benchmark::DoNotOptimize(ops::matmul(q, ops::transpose(k, -1, -2)));
  report_flops(state, 2.0 * bh * t * t * hs);
}
BENCHMARK(BM_matmul_batched_scores)->Args({48, 128})->Args({48, 512})->Args({12, 1024})->Unit(benchmark::kMicrosecond);

// Linear layer forward + backward: x [B*T, C] @ W [C, 4C], then dX and dW.
void BM_matmul_linear_fwd_bwd(benchmark::State& state) {
  const int64_t rows = state.range(0), c = state.range(1);
  Rng rng(3);
  Tensor x = Tensor::randn({rows, c}, rng).requires_grad_(), w = Tensor::randn({c, 4 * c}, rng).requires_grad_();
  Tensor g = Tensor::randn({rows, 4 * c}, rng);
  for (auto _ : state) {
    Tensor y = ops::matmul(x, w);
    autograd::backward(y, g);
    x.zero_grad();
    w.zero_grad();
  }
  report_flops(state, 3 * 2.0 * rows * c * 4 * c);
}
BENCHMARK(BM_matmul_linear_fwd_bwd)->Args({1024, 256})->Args({2048, 512})->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) { return attnscope::bench::run_against_peak(argc, argv); }
