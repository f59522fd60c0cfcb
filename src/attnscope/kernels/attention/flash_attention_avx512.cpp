// AVX-512 instantiation of the tiled attention (flash_tile.h). bf16 storage uses vdpbf16ps
// (AVX512_BF16) for both products when the CPU has it; otherwise bf16 is widened at packing.
// GCC 12 flags its own intrinsic headers (_mm512_undefined_*) with -Wmaybe-uninitialized.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "attnscope/kernels/simd/exp_avx512.h"

#include "attnscope/kernels/attention/flash_tile.h"
#include "attnscope/kernels/isa.h"

namespace attnscope::kernels::detail {
namespace {

struct V512 {
  using F = __m512;
  static constexpr int W = 16;
  static F zero() { return _mm512_setzero_ps(); }
  static F set1(float x) { return _mm512_set1_ps(x); }
  static F load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, F x) { _mm512_storeu_ps(p, x); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F max(F a, F b) { return _mm512_max_ps(a, b); }
  static F abs(F a) { return _mm512_abs_ps(a); }
  static __mmask16 gt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static __mmask16 lt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static __mmask16 le(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
  static __mmask16 eq(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  static __mmask16 band(__mmask16 a, __mmask16 b) { return a & b; }
  static bool any(__mmask16 m) { return m != 0; }
  static unsigned bits(__mmask16 m) { return m; }
  static F select(__mmask16 m, F a, F b) { return _mm512_mask_blend_ps(m, b, a); }
  static F exp(F x) { return simd::exp_avx512(x); }
};

// bf16 pairs: each 32-bit lane holds (even, odd) elements of the reduced dimension.
struct ArBf16 {
  using V = V512;
  using A_t = uint32_t;
  using B_t = uint32_t;
  using AV = __m512bh;
  using BV = __m512bh;
  static constexpr int kMaxR = 12, kMaxNV = 4, kAcc = 24;
  static AV bcast_a(const uint32_t* a) { return (__m512bh)_mm512_set1_epi32(static_cast<int>(*a)); }
  static BV load_b(const uint32_t* b) { return (__m512bh)_mm512_loadu_si512(b); }
  static __m512 madd(__m512 c, AV a, BV b) { return _mm512_dpbf16_ps(c, a, b); }
};

struct Isa512 {
  using V = V512;
  // Register tile: R x NV vectors with R * NV <= 24 accumulators of the 32 zmm registers (the
  // rest hold the NV B-vectors and one broadcast). Tile sizes: see docs/KERNELS.md.
  using Ar = ArF32<V512, 12, 4, 24>;
  using ArBf16 = detail::ArBf16;
  static constexpr int kBr = 64, kBc = 128;
  static constexpr bool kBf16 = true;
  // P rows j, j+1 -> 16 dwords (bf16(p0[i]) | bf16(p1[i]) << 16).
  static void pack_pairs(__m512 p0, __m512 p1, uint32_t* out) {
    const __m512i both = (__m512i)_mm512_cvtne2ps_pbh(p1, p0);  // [p0 (16 x bf16), p1 (16 x bf16)]
    const __m512i idx = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                         23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    _mm512_storeu_si512(out, _mm512_permutexvar_epi16(idx, both));
  }
  static uint16_t to_half(float x) { return _cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT); }
};

// Same kernel without the bf16 dot product (CPUs with AVX-512 but no AVX512_BF16).
struct Isa512NoBf16 : Isa512 {
  static constexpr bool kBf16 = false;
};

}  // namespace

void flash_forward_avx512(const AttentionParams& p, const AttentionCapture& c) {
  if (cpu_has_avx512_bf16()) Flash<Isa512>::forward(p, c);
  else Flash<Isa512NoBf16>::forward(p, c);
}
void flash_backward_avx512(const AttentionBackwardParams& p) { Flash<Isa512NoBf16>::backward(p); }
size_t flash_workspace_floats_avx512(const AttentionParams& p, bool backward) {
  return backward ? Flash<Isa512>::backward_floats(p) : Flash<Isa512>::forward_floats(p, 0);
}

}  // namespace attnscope::kernels::detail
