// Row kernels (rows.h) for AVX-512F: 16 float lanes, masked tails. Bodies in rows_simd.h.
// gcc 12 warns inside its own _mm512_reduce_* (an intentionally undefined register).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "attnscope/kernels/simd/exp_avx512.h"

#include "attnscope/kernels/rows_simd.h"

namespace attnscope::kernels {
namespace {

struct VecAvx512 {
  using reg = __m512;
  static constexpr int W = 16;
  static reg load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, reg v) { _mm512_storeu_ps(p, v); }
  static __mmask16 tail_mask(int64_t k) { return static_cast<__mmask16>((1u << k) - 1); }
  static reg load_n(const float* p, int64_t k, float fill) {
    return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), tail_mask(k), p);
  }
  static void store_n(float* p, int64_t k, reg v) { _mm512_mask_storeu_ps(p, tail_mask(k), v); }
  static reg set1(float v) { return _mm512_set1_ps(v); }
  static reg add(reg a, reg b) { return _mm512_add_ps(a, b); }
  static reg sub(reg a, reg b) { return _mm512_sub_ps(a, b); }
  static reg mul(reg a, reg b) { return _mm512_mul_ps(a, b); }
  static reg fmadd(reg a, reg b, reg c) { return _mm512_fmadd_ps(a, b, c); }
  static reg max(reg a, reg b) { return _mm512_max_ps(a, b); }
  static reg sqrt(reg a) { return _mm512_sqrt_ps(a); }
  static reg div(reg a, reg b) { return _mm512_div_ps(a, b); }
  static reg abs(reg a) { return _mm512_abs_ps(a); }
  static reg copysign(reg mag, reg sign) {
    const __m512i m = _mm512_set1_epi32(static_cast<int>(0x80000000u));
    return _mm512_castsi512_ps(_mm512_or_si512(_mm512_andnot_si512(m, _mm512_castps_si512(mag)),
                                               _mm512_and_si512(m, _mm512_castps_si512(sign))));
  }
  static reg select_lt(reg x, reg t, reg a, reg b) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, t, _CMP_LT_OQ), b, a);
  }
  static float hsum(reg v) { return _mm512_reduce_add_ps(v); }
  static float hmax(reg v) { return _mm512_reduce_max_ps(v); }
  static reg exp(reg x) { return simd::exp_avx512(x); }
};

}  // namespace

const RowKernelTable<float>& row_kernels_avx512() {
  static const RowKernelTable<float> table = simd::make_table<VecAvx512>();
  return table;
}

}  // namespace attnscope::kernels
