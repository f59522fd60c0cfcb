// AVX2 + FMA instantiation of the tiled attention (flash_tile.h). bf16 storage is widened to f32
// when packing (AVX2 has no bf16 dot product).
#include <immintrin.h>

#include "attnscope/kernels/simd/exp_avx2.h"

#include "attnscope/kernels/attention/flash_tile.h"

namespace attnscope::kernels::detail {
namespace {

struct V256 {
  using F = __m256;
  static constexpr int W = 8;
  static F zero() { return _mm256_setzero_ps(); }
  static F set1(float x) { return _mm256_set1_ps(x); }
  static F load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, F x) { _mm256_storeu_ps(p, x); }
  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F max(F a, F b) { return _mm256_max_ps(a, b); }
  static F abs(F a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  static F gt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static F lt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static F le(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
  static F eq(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
  static F band(F a, F b) { return _mm256_and_ps(a, b); }
  static bool any(F m) { return _mm256_movemask_ps(m) != 0; }
  static unsigned bits(F m) { return static_cast<unsigned>(_mm256_movemask_ps(m)); }
  static F select(F m, F a, F b) { return _mm256_blendv_ps(b, a, m); }
  static F exp(F x) { return simd::exp_avx2(x); }
};

struct Isa256 {
  using V = V256;
  // 16 ymm registers: R * NV <= 12 accumulators + NV B-vectors + 1 broadcast.
  using Ar = ArF32<V256, 6, 3, 12>;
  static constexpr int kBr = 48, kBc = 64;
  static constexpr bool kBf16 = false;
  static uint16_t to_half(float x) { return _cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT); }
};

}  // namespace

void flash_forward_avx2(const AttentionParams& p, const AttentionCapture& c) { Flash<Isa256>::forward(p, c); }
void flash_backward_avx2(const AttentionBackwardParams& p) { Flash<Isa256>::backward(p); }
size_t flash_workspace_floats_avx2(const AttentionParams& p, bool backward) {
  return backward ? Flash<Isa256>::backward_floats(p) : Flash<Isa256>::forward_floats(p, 0);
}

}  // namespace attnscope::kernels::detail
