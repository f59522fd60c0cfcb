// ymm FMA chains for the peak measurement (see peak_avx512.cpp).
#include <immintrin.h>

#include "peak.h"

namespace attnscope::bench::detail {

double fma_loop_avx2(long iters) {
  constexpr int kChains = 12;
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm256_set1_ps(0.001f * c);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  // Each chain depends on itself, so nothing can be folded away (no -ffast-math); results are
  // summed into a volatile at the end. (An asm barrier here made GCC spill the chains to memory.)
  for (long i = 0; i < iters; ++i) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) acc[c] = _mm256_fmadd_ps(acc[c], a, b);
  }
  volatile float sink = 0;
  alignas(32) float lanes[8];
  for (int c = 0; c < kChains; ++c) {
    _mm256_store_ps(lanes, acc[c]);
    sink = sink + lanes[0];
  }
  return 2.0 * 8 * kChains * static_cast<double>(iters);
}

}  // namespace attnscope::bench::detail
