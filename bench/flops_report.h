// Shared by the GFLOP/s benchmarks of ops (bench_ops_matmul, bench_ops_conv2d): the FP32 peak is
// measured once at start-up on the CPU clock (peak.h), and report_flops adds the GFLOPS and
// pct_peak counters against it.
#pragma once
#include <benchmark/benchmark.h>

#include <cstdio>

#include "peak.h"

namespace attnscope::bench {

inline double& peak_gflops() {
  static double peak = 0;
  return peak;
}

// flops: floating-point operations of one iteration.
inline void report_flops(benchmark::State& state, double flops) {
  state.counters["GFLOPS"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  if (peak_gflops() > 0)
    state.counters["pct_peak"] =
        benchmark::Counter(flops * 1e-9 * 100 / peak_gflops(), benchmark::Counter::kIsIterationInvariantRate);
}

// The body of main(): measure the peak, print it, run the registered benchmarks.
inline int run_against_peak(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const Peak peak = measure_fp32_peak(0.2, /*cpu_clock=*/true);
  peak_gflops() = peak.all_gflops;
  std::printf("fp32 peak (%s, %d threads): %.1f GFLOP/s\n", peak.isa.c_str(), peak.threads, peak.all_gflops);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace attnscope::bench
