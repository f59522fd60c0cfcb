// bench/peak: prints this machine's FP32 FMA peak (one thread and all threads).
#include <cstdio>
#include <cstring>

#include "peak.h"

// --clock=cpu: rates per CPU second (for a machine shared with other jobs).
int main(int argc, char** argv) {
  const bool cpu = argc > 1 && std::strcmp(argv[1], "--clock=cpu") == 0;
  const attnscope::bench::Peak p = attnscope::bench::measure_fp32_peak(0.3, cpu);
  std::printf("fp32 fma peak (%s): single-thread %.1f GFLOP/s, %d threads %.1f GFLOP/s\n", p.isa.c_str(),
              p.single_gflops, p.threads, p.all_gflops);
  return 0;
}
