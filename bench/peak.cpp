#include "peak.h"

#include <omp.h>
#include <time.h>

#include <algorithm>
#include <chrono>

#include "attnscope/core/parallel.h"
#include "attnscope/kernels/isa.h"

namespace attnscope::bench {
namespace {

using Loop = double (*)(long);

double now(bool cpu_clock) {
  timespec ts;
  clock_gettime(cpu_clock ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// GFLOP/s of `loop` on `threads` threads, best of 3 runs of ~`seconds` each.
double rate(Loop loop, int threads, double seconds, bool cpu_clock) {
  long iters = 1 << 16;
  // Calibrate on one thread so a run lasts about `seconds`.
  for (;;) {
    const auto t0 = std::chrono::steady_clock::now();
    loop(iters);
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (dt > seconds / 4) {
      iters = static_cast<long>(iters * seconds / dt);
      break;
    }
    iters *= 4;
  }
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    double flops = 0;
    const double t0 = now(cpu_clock);
#pragma omp parallel num_threads(threads) reduction(+ : flops)
    flops += loop(iters);
    const double dt = (now(cpu_clock) - t0) / (cpu_clock ? threads : 1);
    best = std::max(best, flops / dt * 1e-9);
  }
  return best;
}

}  // namespace

Peak measure_fp32_peak(double seconds, bool cpu_clock) {
  using kernels::Isa;
  Peak p;
  p.threads = num_threads();
  p.isa = "scalar";
  auto consider = [&](Loop loop, const char* name) {
    const double one = rate(loop, 1, seconds, cpu_clock);
    if (one > p.single_gflops) {
      p.single_gflops = one;
      p.all_gflops = rate(loop, p.threads, seconds, cpu_clock);
      p.isa = name;
    }
  };
  if (kernels::isa_supported(Isa::avx2)) consider(&detail::fma_loop_avx2, "avx2");
  if (kernels::isa_supported(Isa::avx512)) consider(&detail::fma_loop_avx512, "avx512");
  return p;
}

}  // namespace attnscope::bench
