// bench/ops_softmax: ops::softmax / log_softmax / cross_entropy on f32 rows, in GB/s of the
// bytes each must move (forward: read x, write y; backward: read y and dy, write dx; cross-
// entropy: read logits forward, read logits + write dlogits backward), per ISA.
// Rates are per main-thread CPU second; on a shared machine run with ATTNSCOPE_THREADS=1.
// Args: rows, n, isa (0 scalar, 1 avx2, 2 avx512).
#include <benchmark/benchmark.h>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "ops_rows.h"

namespace {
using namespace attnscope;

void shapes(benchmark::internal::Benchmark* b) {
  for (int isa = 0; isa < 3; ++isa) {
    b->Args({4096, 128, isa});   // attention rows
    b->Args({1024, 1024, isa});
    b->Args({64, 32000, isa});   // vocabulary rows
  }
  b->Unit(benchmark::kMicrosecond);
}

void BM_softmax_fwd(benchmark::State& state) {
  if (!bench::use_isa(state, 2)) return;
  const int64_t rows = state.range(0), n = state.range(1);
  Rng rng(1);
  Tensor x = Tensor::randn({rows, n}, rng);
  autograd::NoGrad ng;
  for (auto _ : state) benchmark::DoNotOptimize(ops::softmax(x));
  bench::report_bytes(state, 2.0 * 4 * rows * n);
}
BENCHMARK(BM_softmax_fwd)->Apply(shapes);

void BM_softmax_fwd_bwd(benchmark::State& state) {
  if (!bench::use_isa(state, 2)) return;
  const int64_t rows = state.range(0), n = state.range(1);
  Rng rng(2);
  Tensor x = Tensor::randn({rows, n}, rng).requires_grad_(), g = Tensor::randn({rows, n}, rng);
  for (auto _ : state) {
    autograd::backward(ops::softmax(x), g);
    x.zero_grad();
  }
  // forward 2 passes of x/y + backward 3 (y, dy, dx) + the leaf grad accumulation (read+write)
  bench::report_bytes(state, 7.0 * 4 * rows * n);
}
BENCHMARK(BM_softmax_fwd_bwd)->Apply(shapes);

void BM_log_softmax_fwd(benchmark::State& state) {
  if (!bench::use_isa(state, 2)) return;
  const int64_t rows = state.range(0), n = state.range(1);
  Rng rng(3);
  Tensor x = Tensor::randn({rows, n}, rng);
  autograd::NoGrad ng;
  for (auto _ : state) benchmark::DoNotOptimize(ops::log_softmax(x));
  bench::report_bytes(state, 2.0 * 4 * rows * n);
}
BENCHMARK(BM_log_softmax_fwd)->Apply(shapes);

void BM_cross_entropy_fwd_bwd(benchmark::State& state) {
  if (!bench::use_isa(state, 2)) return;
  const int64_t rows = state.range(0), n = state.range(1);
  Rng rng(4);
  Tensor x = Tensor::randn({rows, n}, rng).requires_grad_();
  std::vector<int64_t> t(rows);
  for (auto& v : t) v = static_cast<int64_t>(rng.below(n));
  for (auto _ : state) {
    autograd::backward(ops::cross_entropy(x, t));
    x.zero_grad();
  }
  // forward reads x; backward reads x, writes dx; the leaf grad accumulation reads + writes.
  bench::report_bytes(state, 5.0 * 4 * rows * n);
}
BENCHMARK(BM_cross_entropy_fwd_bwd)->Apply(shapes);

}  // namespace

BENCHMARK_MAIN();
