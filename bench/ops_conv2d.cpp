// bench/ops_conv2d: ops::conv2d (im2col + OpenBLAS sgemm, or Winograd for 3x3 stride 1) forward
// and forward+backward in GFLOP/s of the direct convolution (2 B Cout Ho Wo Cin KH KW per pass;
// backward counts two more), so a Winograd shape can pass 100% of the FP32 FMA peak measured on
// the same clock: that is its saving. Rates are per main-thread CPU second; on a shared
// machine run with ATTNSCOPE_THREADS=1.  Args: B, Cin, H (= W), Cout, K, stride.
#include <benchmark/benchmark.h>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "flops_report.h"

namespace {
using namespace attnscope;
using bench::report_flops;

struct ConvArgs {
  int64_t B, Cin, H, Cout, K, S, P, Ho;
  explicit ConvArgs(const benchmark::State& s)
      : B(s.range(0)), Cin(s.range(1)), H(s.range(2)), Cout(s.range(3)), K(s.range(4)), S(s.range(5)),
        P(K / 2), Ho((H + 2 * (K / 2) - K) / S + 1) {}
  double flops() const { return 2.0 * B * Cout * Ho * Ho * Cin * K * K; }
};

void shapes(benchmark::internal::Benchmark* b) {
  b->Args({8, 3, 224, 64, 7, 2});   // ResNet stem
  b->Args({8, 64, 56, 64, 3, 1});   // ResNet stage 1
  b->Args({8, 256, 14, 256, 3, 1}); // ResNet stage 3
  b->Args({32, 32, 64, 32, 3, 1});  // captioner conv2, 64 px photos
  b->Args({32, 32, 32, 64, 3, 1});  // captioner conv3
  b->Args({32, 64, 16, 64, 3, 1});  // captioner conv4
  b->Unit(benchmark::kMillisecond);
}

void BM_conv2d_fwd(benchmark::State& state) {
  const ConvArgs a(state);
  Rng rng(1);
  Tensor x = Tensor::randn({a.B, a.Cin, a.H, a.H}, rng), w = Tensor::randn({a.Cout, a.Cin, a.K, a.K}, rng),
         bias = Tensor::randn({a.Cout}, rng);
  autograd::NoGrad ng;
  for (auto _ : state) benchmark::DoNotOptimize(ops::conv2d(x, w, bias, static_cast<int>(a.S), static_cast<int>(a.P)));
  report_flops(state, a.flops());
}
BENCHMARK(BM_conv2d_fwd)->Apply(shapes);

void BM_conv2d_fwd_bwd(benchmark::State& state) {
  const ConvArgs a(state);
  Rng rng(2);
  Tensor x = Tensor::randn({a.B, a.Cin, a.H, a.H}, rng).requires_grad_(),
         w = Tensor::randn({a.Cout, a.Cin, a.K, a.K}, rng).requires_grad_(),
         bias = Tensor::randn({a.Cout}, rng).requires_grad_();
  Tensor g = Tensor::randn({a.B, a.Cout, a.Ho, a.Ho}, rng);
  for (auto _ : state) {
    autograd::backward(ops::conv2d(x, w, bias, static_cast<int>(a.S), static_cast<int>(a.P)), g);
    for (Tensor* t : {&x, &w, &bias}) t->zero_grad();
  }
  report_flops(state, 3 * a.flops());
}
BENCHMARK(BM_conv2d_fwd_bwd)->Apply(shapes);

}  // namespace

int main(int argc, char** argv) { return attnscope::bench::run_against_peak(argc, argv); }
