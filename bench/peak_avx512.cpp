// zmm FMA chains for the peak measurement. 16 independent accumulators cover the FMA latency (4
// cycles) times the issue width on every x86 core we know of.
#include <immintrin.h>

#include "peak.h"

namespace attnscope::bench::detail {

double fma_loop_avx512(long iters) {
  constexpr int kChains = 16;
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(0.001f * c);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  // Each chain depends on itself, so nothing can be folded away (no -ffast-math); results are
  // summed into a volatile at the end. (An asm barrier here made GCC spill the chains to memory.)
  for (long i = 0; i < iters; ++i) {
#pragma GCC unroll 16
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], a, b);
  }
  // Summed lane by lane through memory: GCC 12's _mm512_reduce_add_ps reads an undefined register
  // (a -Wuninitialized warning from its own header).
  __m512 total = acc[0];
  for (int c = 1; c < kChains; ++c) total = _mm512_add_ps(total, acc[c]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, total);
  volatile float sink = 0;
  for (float v : lanes) sink = sink + v;
  return 2.0 * 16 * kChains * static_cast<double>(iters);
}

}  // namespace attnscope::bench::detail
