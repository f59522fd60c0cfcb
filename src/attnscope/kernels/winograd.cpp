// Winograd F(m x m, 3 x 3) (winograd.h): the filter transforms (once per call, scalar) and the
// dispatch of the tile transforms (winograd_simd.h) to the active ISA's table for float32.
#include "attnscope/kernels/winograd.h"

#include <type_traits>

#include "attnscope/kernels/isa.h"
#include "attnscope/kernels/winograd_simd.h"

namespace attnscope::kernels::winograd {
namespace {

// The active ISA's float32 table, or nullptr on the scalar path.
const TransformTable* vector_table(int m) {
  switch (active_isa()) {
    case Isa::avx512: return &transforms_avx512(m);
    case Isa::avx2: return &transforms_avx2(m);
    default: return nullptr;
  }
}

}  // namespace

template <class T, int m>
void filter_transform(const T* w, int64_t cout, int64_t cin, T* U) noexcept {
  constexpr int a = tile_in(m);
  using M = Mats<m>;
  const int64_t pairs = cout * cin;
  for (int64_t k = 0; k < pairs; ++k) {
    const T* g = w + k * 9;
    T gt[a][3];  // G g
    for (int p = 0; p < a; ++p)
      for (int l = 0; l < 3; ++l) gt[p][l] = T(M::G[p][0]) * g[l] + T(M::G[p][1]) * g[3 + l] + T(M::G[p][2]) * g[6 + l];
    for (int p = 0; p < a; ++p)
      for (int q = 0; q < a; ++q)
        U[(p * a + q) * pairs + k] = gt[p][0] * T(M::G[q][0]) + gt[p][1] * T(M::G[q][1]) + gt[p][2] * T(M::G[q][2]);
  }
}

template <class T, int m>
void filter_transform_backward(const T* dU, int64_t cout, int64_t cin, T* dw) noexcept {
  constexpr int a = tile_in(m);
  using M = Mats<m>;
  const int64_t pairs = cout * cin;
  for (int64_t k = 0; k < pairs; ++k) {
    T s[a][3] = {};  // dU G
    for (int p = 0; p < a; ++p)
      for (int q = 0; q < a; ++q) {
        const T d = dU[(p * a + q) * pairs + k];
        for (int l = 0; l < 3; ++l) s[p][l] += d * T(M::G[q][l]);
      }
    T* g = dw + k * 9;
    for (int r = 0; r < 3; ++r)
      for (int l = 0; l < 3; ++l) {
        T acc = 0;
        for (int p = 0; p < a; ++p) acc += T(M::G[p][r]) * s[p][l];
        g[r * 3 + l] += acc;
      }
  }
}

template <class T, int m>
void input_transform(const T* x, int64_t H, int64_t W, int64_t pad, int64_t ty0, int64_t ty1, int64_t tw, T* V,
                     int64_t xs) noexcept {
  if constexpr (std::is_same_v<T, float>)
    if (const TransformTable* t = vector_table(m)) return t->input(x, H, W, pad, ty0, ty1, tw, V, xs);
  input_transform_body<T, m>(x, H, W, pad, ty0, ty1, tw, V, xs);
}

template <class T, int m>
void input_transform_backward(const T* dV, int64_t xs, int64_t H, int64_t W, int64_t pad, int64_t ty0, int64_t ty1,
                              int64_t tw, T* dx) noexcept {
  if constexpr (std::is_same_v<T, float>)
    if (const TransformTable* t = vector_table(m)) return t->input_backward(dV, xs, H, W, pad, ty0, ty1, tw, dx);
  input_transform_backward_body<T, m>(dV, xs, H, W, pad, ty0, ty1, tw, dx);
}

template <class T, int m>
void output_transform(const T* M, int64_t xs, int64_t Ho, int64_t Wo, int64_t ty0, int64_t ty1, int64_t tw, T bias,
                      T* y) noexcept {
  if constexpr (std::is_same_v<T, float>)
    if (const TransformTable* t = vector_table(m)) return t->output(M, xs, Ho, Wo, ty0, ty1, tw, bias, y);
  output_transform_body<T, m>(M, xs, Ho, Wo, ty0, ty1, tw, bias, y);
}

template <class T, int m>
void output_transform_backward(const T* dy, int64_t Ho, int64_t Wo, int64_t ty0, int64_t ty1, int64_t tw, T* Z,
                               int64_t xs) noexcept {
  if constexpr (std::is_same_v<T, float>)
    if (const TransformTable* t = vector_table(m)) return t->output_backward(dy, Ho, Wo, ty0, ty1, tw, Z, xs);
  output_transform_backward_body<T, m>(dy, Ho, Wo, ty0, ty1, tw, Z, xs);
}

#define ATTNSCOPE_WINOGRAD(T, m)                                                                                    \
  template void filter_transform<T, m>(const T*, int64_t, int64_t, T*) noexcept;                                  \
  template void filter_transform_backward<T, m>(const T*, int64_t, int64_t, T*) noexcept;                         \
  template void input_transform<T, m>(const T*, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, T*,          \
                                      int64_t) noexcept;                                                          \
  template void input_transform_backward<T, m>(const T*, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,     \
                                               int64_t, T*) noexcept;                                             \
  template void output_transform<T, m>(const T*, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, T, T*)      \
      noexcept;                                                                                                   \
  template void output_transform_backward<T, m>(const T*, int64_t, int64_t, int64_t, int64_t, int64_t, T*,        \
                                                int64_t) noexcept;
ATTNSCOPE_WINOGRAD(float, 2)
ATTNSCOPE_WINOGRAD(float, 4)
ATTNSCOPE_WINOGRAD(double, 2)
ATTNSCOPE_WINOGRAD(double, 4)
#undef ATTNSCOPE_WINOGRAD

}  // namespace attnscope::kernels::winograd
