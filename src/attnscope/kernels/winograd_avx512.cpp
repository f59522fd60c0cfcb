// The Winograd tile transforms (winograd_simd.h) compiled for AVX-512F.
#include "attnscope/kernels/winograd_simd.h"

namespace attnscope::kernels::winograd {

const TransformTable& transforms_avx512(int m) {
  static const TransformTable t2 = make_table<2>(), t4 = make_table<4>();
  return m == 4 ? t4 : t2;
}

}  // namespace attnscope::kernels::winograd
