// The bodies of the Winograd tile transforms (winograd.h), written once over GCC vectors (no
// intrinsics) and compiled by winograd.cpp (baseline: float64, and float32 on the scalar path),
// winograd_avx2.cpp and winograd_avx512.cpp under their ISA flags. The tiles of a
// tile row go in blocks of L, one vector lane per tile; a transform is two passes of a constant
// matrix over a block (along the tile's rows, then across them), unrolled so each coefficient is
// a compile-time constant: zeros vanish and +-1 become adds. Input rows are read through their m
// phases (column m tx + j of the row is phase j % m at lane tx + j / m), so every lane load is
// contiguous. Everything here has internal linkage: each including file gets its own copy, built
// with its own flags.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "attnscope/kernels/winograd.h"

namespace attnscope::kernels::winograd {
namespace {

// The matrices of Lavin & Gray (2016), section 4: B^T [a x a], G [a x 3], A^T [m x a].
template <int m>
struct Mats;
template <>
struct Mats<2> {
  static constexpr double BT[4][4] = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
  static constexpr double G[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  static constexpr double AT[2][4] = {{1, 1, 1, 0}, {0, 1, -1, -1}};
};
template <>
struct Mats<4> {
  static constexpr double BT[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                                      {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
  static constexpr double G[6][3] = {{1.0 / 4, 0, 0},           {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                     {-1.0 / 6, 1.0 / 6, -1.0 / 6}, {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                     {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};
  static constexpr double AT[4][6] = {
      {1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};
};

constexpr int L = 16;  // tiles per block: the vector lanes

// L lanes of T as one GCC vector: a zmm under AVX-512, two ymm under AVX2, SSE pieces on the
// baseline; the compiler lowers the arithmetic to whatever registers the file's flags give.
template <class T>
struct LanesOf {
  typedef T type __attribute__((vector_size(L * sizeof(T))));
};
template <class T>
using Lanes = typename LanesOf<T>::type;

template <class T>
inline Lanes<T> load(const T* p) noexcept {
  Lanes<T> v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
// The first n <= L lanes of v to p.
template <class T>
inline void store(T* p, const Lanes<T>& v, int64_t n = L) noexcept {
  if (n == L) {  // the common case as one fixed-size store, not a memcpy call
    std::memcpy(p, &v, sizeof v);
    return;
  }
  T part[L];
  std::memcpy(part, &v, sizeof v);
  std::copy(part, part + n, p);
}

// sum_j c[j * stride] in[j]. Inlined into unrolled loops, so each c[.] is a constant: zero terms
// vanish and +-1 become adds.
template <class T, int n>
inline Lanes<T> combine(const double* c, int stride, const Lanes<T>* in) noexcept {
  Lanes<T> acc = {};
#pragma GCC unroll 8
  for (int j = 0; j < n; ++j) {
    const double cj = c[j * stride];
    if (cj == 1)
      acc += in[j];
    else if (cj == -1)
      acc -= in[j];
    else if (cj != 0)
      acc += T(cj) * in[j];
  }
  return acc;
}

// out[p * n + k] = in[m k + p]: a row split into its m phases.
template <class T, int m>
inline void deinterleave(const T* __restrict in, T* __restrict out, int64_t n) noexcept {
  for (int64_t k = 0; k < n; ++k)
#pragma GCC unroll 4
    for (int p = 0; p < m; ++p) out[p * n + k] = in[m * k + p];
}

// The a^2 lane rows of a block of n <= L tiles of a transformed tensor (element xi at
// base + xi * xs); a last, short block reads zeros for its missing tiles.
template <class T, int a>
inline void load_block(const T* base, int64_t xs, int64_t n, Lanes<T> (&rows)[a * a]) noexcept {
  for (int xi = 0; xi < a * a; ++xi) {
    if (n == L) {
      rows[xi] = load(base + xi * xs);
      continue;
    }
    T part[L] = {};
    std::copy(base + xi * xs, base + xi * xs + n, part);
    rows[xi] = load(part);
  }
}

// out[r][b] = sum_p c[r * rs + p * ps] in[p * a + b] for r < R, b < a: a pass across the a rows
// of a block (element (p, b) of a tile at in[p * a + b]).
template <class T, int a, int R>
inline void across_rows(const double* c, int rs, int ps, const Lanes<T> (&in)[a * a], Lanes<T> (&out)[R][a]) noexcept {
#pragma GCC unroll 8
  for (int b = 0; b < a; ++b) {
    Lanes<T> col[a];
    for (int p = 0; p < a; ++p) col[p] = in[p * a + b];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) out[r][b] = combine<T, a>(c + r * rs, ps, col);
  }
}

template <class T, int m>
void input_transform_body(const T* x, int64_t H, int64_t W, int64_t pad, int64_t ty0, int64_t ty1, int64_t tw, T* V,
                          int64_t xs) noexcept {
  constexpr int a = m + 2;
  using M = Mats<m>;
  const int64_t Lp = (tw + L - 1) / L * L + 1;  // phase length: lane tx + j / m of the last block
  std::vector<T> row(static_cast<size_t>(m * Lp)), ph(static_cast<size_t>(a * m * Lp));
  for (int64_t ty = ty0; ty < ty1; ++ty) {
    for (int i = 0; i < a; ++i) {  // the tile row's a input rows, zero-padded, split into phases
      const int64_t ih = m * ty - pad + i;
      std::fill(row.begin(), row.end(), T(0));
      if (ih >= 0 && ih < H) std::copy(x + ih * W, x + ih * W + W, row.begin() + pad);
      deinterleave<T, m>(row.data(), ph.data() + i * m * Lp, Lp);
    }
    for (int64_t tx0 = 0; tx0 < tw; tx0 += L) {
      Lanes<T> t[a][a];  // t[b][i] = sum_j BT[b][j] d[i][j]
#pragma GCC unroll 8
      for (int i = 0; i < a; ++i) {
        Lanes<T> d[a];
        for (int j = 0; j < a; ++j) d[j] = load(ph.data() + (i * m + j % m) * Lp + tx0 + j / m);
#pragma GCC unroll 8
        for (int b = 0; b < a; ++b) t[b][i] = combine<T, a>(&M::BT[b][0], 1, d);
      }
      const int64_t n = std::min<int64_t>(L, tw - tx0);
      T* v = V + (ty - ty0) * tw + tx0;
#pragma GCC unroll 8
      for (int p = 0; p < a; ++p)
#pragma GCC unroll 8
        for (int b = 0; b < a; ++b) store(v + (p * a + b) * xs, combine<T, a>(&M::BT[p][0], 1, t[b]), n);
    }
  }
}

template <class T, int m>
void input_transform_backward_body(const T* dV, int64_t xs, int64_t H, int64_t W, int64_t pad, int64_t ty0,
                                   int64_t ty1, int64_t tw, T* dx) noexcept {
  constexpr int a = m + 2;
  using M = Mats<m>;
  const int64_t Lp = (tw + L - 1) / L * L + 1;
  std::vector<T> row(static_cast<size_t>(m * Lp)), acc(static_cast<size_t>(a * m * Lp));
  for (int64_t ty = ty0; ty < ty1; ++ty) {
    std::fill(acc.begin(), acc.end(), T(0));  // the a input rows' gradient, by phase
    for (int64_t tx0 = 0; tx0 < tw; tx0 += L) {
      Lanes<T> in[a * a];
      load_block<T, a>(dV + (ty - ty0) * tw + tx0, xs, std::min<int64_t>(L, tw - tx0), in);
      Lanes<T> t[a][a];  // t[i][b] = sum_p BT[p][i] dV[p][b]
      across_rows<T, a, a>(&M::BT[0][0], 1, a, in, t);
#pragma GCC unroll 8
      for (int i = 0; i < a; ++i)
#pragma GCC unroll 8
        for (int j = 0; j < a; ++j) {  // d[i][j] = sum_b BT[b][j] t[i][b], added at its phase
          T* out = acc.data() + (i * m + j % m) * Lp + tx0 + j / m;
          store(out, load(out) + combine<T, a>(&M::BT[0][j], a, t[i]));
        }
    }
    for (int i = 0; i < a; ++i) {
      const int64_t ih = m * ty - pad + i;
      if (ih < 0 || ih >= H) continue;  // padding: its gradient goes nowhere
      for (int64_t k = 0; k < Lp; ++k)
#pragma GCC unroll 4
        for (int p = 0; p < m; ++p) row[static_cast<size_t>(m * k + p)] = acc[static_cast<size_t>((i * m + p) * Lp + k)];
      T* out = dx + ih * W;
      for (int64_t col = 0; col < W; ++col) out[col] += row[static_cast<size_t>(col + pad)];
    }
  }
}

template <class T, int m>
void output_transform_body(const T* Mt, int64_t xs, int64_t Ho, int64_t Wo, int64_t ty0, int64_t ty1, int64_t tw,
                           T bias, T* y) noexcept {
  constexpr int a = m + 2;
  using M = Mats<m>;
  for (int64_t ty = ty0; ty < ty1; ++ty)
    for (int64_t tx0 = 0; tx0 < tw; tx0 += L) {
      const int64_t n = std::min<int64_t>(L, tw - tx0);
      Lanes<T> in[a * a];
      load_block<T, a>(Mt + (ty - ty0) * tw + tx0, xs, n, in);
      Lanes<T> s[m][a];  // s[r][b] = sum_p AT[r][p] M[p][b]
      across_rows<T, a, m>(&M::AT[0][0], a, 1, in, s);
      const int64_t width = std::min<int64_t>(m * n, Wo - m * tx0);
#pragma GCC unroll 4
      for (int r = 0; r < m; ++r) {
        if (m * ty + r >= Ho) break;
        T q[m][L], out[m * L];  // q[c] = y[r][c] = sum_b AT[c][b] s[r][b] + bias
#pragma GCC unroll 4
        for (int c = 0; c < m; ++c) store(q[c], combine<T, a>(&M::AT[c][0], 1, s[r]) + bias);
        for (int l = 0; l < L; ++l)
#pragma GCC unroll 4
          for (int c = 0; c < m; ++c) out[m * l + c] = q[c][l];
        std::copy(out, out + width, y + (m * ty + r) * Wo + m * tx0);
      }
    }
}

template <class T, int m>
void output_transform_backward_body(const T* dy, int64_t Ho, int64_t Wo, int64_t ty0, int64_t ty1, int64_t tw, T* Z,
                                    int64_t xs) noexcept {
  constexpr int a = m + 2;
  using M = Mats<m>;
  for (int64_t ty = ty0; ty < ty1; ++ty)
    for (int64_t tx0 = 0; tx0 < tw; tx0 += L) {
      const int64_t n = std::min<int64_t>(L, tw - tx0), width = std::min<int64_t>(m * L, Wo - m * tx0);
      Lanes<T> u[a][m];  // u[b][r] = sum_c AT[c][b] dy[r][c]
#pragma GCC unroll 4
      for (int r = 0; r < m; ++r) {
        T row[m * L] = {}, q[m][L];  // dy beyond the edges reads as 0
        if (m * ty + r < Ho) std::copy(dy + (m * ty + r) * Wo + m * tx0, dy + (m * ty + r) * Wo + m * tx0 + width, row);
        deinterleave<T, m>(row, q[0], L);
        Lanes<T> qr[m];
        for (int c = 0; c < m; ++c) qr[c] = load(q[c]);
#pragma GCC unroll 8
        for (int b = 0; b < a; ++b) u[b][r] = combine<T, m>(&M::AT[0][b], a, qr);
      }
      T* z = Z + (ty - ty0) * tw + tx0;
#pragma GCC unroll 8
      for (int p = 0; p < a; ++p)  // Z[p][b] = sum_r AT[r][p] u[b][r]
#pragma GCC unroll 8
        for (int b = 0; b < a; ++b) store(z + (p * a + b) * xs, combine<T, m>(&M::AT[0][p], a, u[b]), n);
    }
}

// The float32 table of this file's ISA.
template <int m>
TransformTable make_table() {
  return {&input_transform_body<float, m>, &input_transform_backward_body<float, m>, &output_transform_body<float, m>,
          &output_transform_backward_body<float, m>};
}

}  // namespace
}  // namespace attnscope::kernels::winograd
