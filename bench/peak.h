// FP32 FMA peak of this machine, measured: independent chains of vector FMAs (no memory
// traffic) on one thread and on all threads. Benchmarks call measure_fp32_peak() in the same
// run and print "% of peak" against it.
#pragma once
#include <string>

namespace attnscope::bench {

struct Peak {
  double single_gflops = 0;  // one thread
  double all_gflops = 0;     // all attnscope threads (num_threads())
  int threads = 1;
  std::string isa;           // vector width used: "avx512" (zmm) or "avx2" (ymm), the faster one
};

// Runs each measurement for about `seconds` and keeps the best of a few repetitions.
// cpu_clock: divide by process CPU seconds / threads instead of wall seconds (shared machines).
Peak measure_fp32_peak(double seconds = 0.2, bool cpu_clock = false);

namespace detail {
// FMAs on `iters` x (chains x W) lanes; returns the flop count (2 per lane FMA).
double fma_loop_avx512(long iters);
double fma_loop_avx2(long iters);
}  // namespace detail

}  // namespace attnscope::bench
