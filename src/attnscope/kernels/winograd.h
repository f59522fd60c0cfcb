// Winograd minimal filtering F(m x m, 3 x 3) (Lavin & Gray 2016) for 3x3 stride-1 convolution.
// A tile of a = m + 2 input rows and columns gives m x m outputs:
//   Y = A^T [ (G g G^T) (.) (B^T d B) ] A
// so each output costs a^2 / m^2 products per (input, output) channel pair instead of 9: 2.25x
// fewer for m = 2, 4x fewer for m = 4. The a^2 elementwise products of all tiles become a^2 GEMMs
// [Cout, Cin] x [Cin, tiles], which is where the time goes (kernels/gemm.h); these are the
// transforms around them and their adjoints (the backward pass is the transpose of each step).
//
// Layout of the transformed tensors: element xi (0 .. a^2) of a tile is a plane of its own,
// V[xi * xi_stride + channel * tiles + tile], so a GEMM reads one xi as a plain matrix. Within
// a plane, a tile row's tiles are contiguous (tw of them) and the transforms run along that row,
// tiles as the vector lanes. Tile (ty, tx) reads input rows m ty - pad .. + a - 1 and columns
// m tx - pad .. + a - 1 (zero outside the image) and writes output rows m ty .. m ty + m - 1,
// cut at the image's edge. The kernels never make threads.
#pragma once
#include <cstdint>

namespace attnscope::kernels::winograd {

// a = m + 2: the input tile side.
constexpr int tile_in(int m) { return m + 2; }
// Tiles along a side of n outputs.
constexpr int64_t tiles(int64_t n, int m) { return (n + m - 1) / m; }

// U[xi][co][ci] = (G w[co][ci] G^T)[xi] for w [Cout, Cin, 3, 3].
template <class T, int m>
void filter_transform(const T* w, int64_t cout, int64_t cin, T* U) noexcept;
// dw[co][ci] += G^T dU[.][co][ci] G: the adjoint of filter_transform.
template <class T, int m>
void filter_transform_backward(const T* dU, int64_t cout, int64_t cin, T* dw) noexcept;

// One plane x [H, W] (a channel of an image), tile rows [ty0, ty1), tw = tiles(W + 2 pad - 2, m)
// tiles a row: V[xi * xi_stride + (ty - ty0) * tw + tx] = (B^T d B)[xi].
template <class T, int m>
void input_transform(const T* x, int64_t H, int64_t W, int64_t pad, int64_t ty0, int64_t ty1, int64_t tw,
                     T* V, int64_t xi_stride) noexcept;
// The adjoint: dx [H, W] += the tiles' B dV B^T, overlaps summed.
template <class T, int m>
void input_transform_backward(const T* dV, int64_t xi_stride, int64_t H, int64_t W, int64_t pad, int64_t ty0,
                              int64_t ty1, int64_t tw, T* dx) noexcept;

// One output plane y [Ho, Wo], tile rows [ty0, ty1): y = A^T M A + bias, cut at the edges.
template <class T, int m>
void output_transform(const T* M, int64_t xi_stride, int64_t Ho, int64_t Wo, int64_t ty0, int64_t ty1,
                      int64_t tw, T bias, T* y) noexcept;
// The adjoint: Z = A dy A^T per tile (dy read as 0 beyond the edges).
template <class T, int m>
void output_transform_backward(const T* dy, int64_t Ho, int64_t Wo, int64_t ty0, int64_t ty1, int64_t tw, T* Z,
                               int64_t xi_stride) noexcept;

// The float32 tile transforms of one ISA (winograd_avx2.cpp, winograd_avx512.cpp); the functions
// above call the active ISA's (kernels/isa.h), the scalar path and float64 the plain loops.
struct TransformTable {
  void (*input)(const float*, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, float*, int64_t) noexcept;
  void (*input_backward)(const float*, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                         float*) noexcept;
  void (*output)(const float*, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, float, float*) noexcept;
  void (*output_backward)(const float*, int64_t, int64_t, int64_t, int64_t, int64_t, float*, int64_t) noexcept;
};
const TransformTable& transforms_avx2(int m);
const TransformTable& transforms_avx512(int m);

}  // namespace attnscope::kernels::winograd
