// bench/ops_layer_norm: ops::layer_norm and rms_norm on f32 [rows, C], in GB/s of the bytes
// each must move (forward: read x, write y; backward: read x and dy, write dx), per ISA.
// Rates are per main-thread CPU second; on a shared machine run with ATTNSCOPE_THREADS=1.
// Large outputs (>= 32 MiB) pay page faults on every call (glibc mmaps them): e.g. 2048 x 4096
// measured 2.5 GB/s against 8.5 with MALLOC_MMAP_THRESHOLD_ raised — an allocator matter, not
// the kernel's.
// Args: rows, C, isa (0 scalar, 1 avx2, 2 avx512).
#include <benchmark/benchmark.h>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "ops_rows.h"

namespace {
using namespace attnscope;

void shapes(benchmark::internal::Benchmark* b) {
  for (int isa = 0; isa < 3; ++isa) {
    b->Args({8192, 768, isa});
    b->Args({2048, 4096, isa});
    b->Args({2048, 4000, isa});
    b->Args({32768, 64, isa});
  }
  b->Unit(benchmark::kMicrosecond);
}

void BM_layer_norm_fwd(benchmark::State& state) {
  if (!bench::use_isa(state, 2)) return;
  const int64_t rows = state.range(0), c = state.range(1);
  Rng rng(1);
  Tensor x = Tensor::randn({rows, c}, rng), g = Tensor::randn({c}, rng), b = Tensor::randn({c}, rng);
  autograd::NoGrad ng;
  for (auto _ : state) benchmark::DoNotOptimize(ops::layer_norm(x, g, b));
  bench::report_bytes(state, 2.0 * 4 * rows * c);
}
BENCHMARK(BM_layer_norm_fwd)->Apply(shapes);

void BM_layer_norm_fwd_bwd(benchmark::State& state) {
  if (!bench::use_isa(state, 2)) return;
  const int64_t rows = state.range(0), c = state.range(1);
  Rng rng(2);
  Tensor x = Tensor::randn({rows, c}, rng).requires_grad_(), g = Tensor::randn({c}, rng).requires_grad_(),
         b = Tensor::randn({c}, rng).requires_grad_(), dy = Tensor::randn({rows, c}, rng);
  for (auto _ : state) {
    autograd::backward(ops::layer_norm(x, g, b), dy);
    x.zero_grad();
    g.zero_grad();
    b.zero_grad();
  }
  // forward read x + write y; backward read x, dy, write dx; leaf grad read + write.
  bench::report_bytes(state, 7.0 * 4 * rows * c);
}
BENCHMARK(BM_layer_norm_fwd_bwd)->Apply(shapes);

void BM_rms_norm_fwd(benchmark::State& state) {
  if (!bench::use_isa(state, 2)) return;
  const int64_t rows = state.range(0), c = state.range(1);
  Rng rng(3);
  Tensor x = Tensor::randn({rows, c}, rng), g = Tensor::randn({c}, rng);
  autograd::NoGrad ng;
  for (auto _ : state) benchmark::DoNotOptimize(ops::rms_norm(x, g));
  bench::report_bytes(state, 2.0 * 4 * rows * c);
}
BENCHMARK(BM_rms_norm_fwd)->Apply(shapes);

// The bias-gradient reduction [rows, C] -> [C] (reduce_to), and a broadcast add over rows.
void BM_reduce_rows_to_bias(benchmark::State& state) {
  const int64_t rows = state.range(0), c = state.range(1);
  Rng rng(4);
  Tensor g = Tensor::randn({rows, c}, rng);
  for (auto _ : state) benchmark::DoNotOptimize(ops::reduce_to(g, Shape{c}));
  bench::report_bytes(state, 4.0 * rows * c);
}
BENCHMARK(BM_reduce_rows_to_bias)->Args({8192, 768})->Args({32768, 64})->Unit(benchmark::kMicrosecond);

void BM_add_bias_broadcast(benchmark::State& state) {
  const int64_t rows = state.range(0), c = state.range(1);
  Rng rng(5);
  Tensor x = Tensor::randn({rows, c}, rng), b = Tensor::randn({c}, rng);
  autograd::NoGrad ng;
  for (auto _ : state) benchmark::DoNotOptimize(ops::add(x, b));
  bench::report_bytes(state, 2.0 * 4 * rows * c);
}
BENCHMARK(BM_add_bias_broadcast)->Args({8192, 768})->Args({32768, 64})->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
