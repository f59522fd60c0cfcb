// conv2d by Winograd F(m x m, 3 x 3): the driver around kernels/winograd.h (see conv2d_winograd.h).
// Work goes in units of tile rows whose transformed tensors (V [a^2, Cin, P] and M or Z
// [a^2, Cout, P], P tiles) fit a fixed budget, so memory does not grow with the batch or the
// image: small images are grouped several to a unit (a^2 GEMMs with more columns), a large one is
// cut into bands of tile rows. Bands overlap in the input rows they read (and whose gradient they
// add to), which is why a share's units run in order.
#include "attnscope/autograd/ops/conv2d_winograd.h"

#include <algorithm>
#include <vector>

#include "attnscope/kernels/gemm.h"
#include "attnscope/kernels/winograd.h"

namespace attnscope::ops::conv {
namespace wg = kernels::winograd;
namespace {

constexpr int64_t kTileBudget = int64_t{1} << 21;  // bytes of V plus M (or Z) per unit
constexpr int64_t kMinTiles = 256;                  // tiles per unit, budget or not (see plan)

// The stride between the a^2 planes of a transformed tensor of P tiles per channel: one cache
// line more than C P, so the a^2 streams a transform writes side by side do not fall into the same
// cache sets (C P is often a multiple of 4 KB; unpadded, the input transform ran 2x slower).
int64_t plane_stride(int64_t channels, int64_t P) { return channels * P + 16; }

// Images b0 .. b0+nb, tile rows ty0 .. ty1 of each (nb > 1 only with all rows).
struct Unit {
  int64_t b0, nb, ty0, ty1;
  int64_t tiles(int64_t tw) const { return nb * (ty1 - ty0) * tw; }
};

std::vector<Unit> plan(const ConvGeom& g, int m, size_t elem, int64_t b_begin, int64_t b_end) {
  const int64_t a2 = wg::tile_in(m) * wg::tile_in(m), th = wg::tiles(g.Ho, m), tw = wg::tiles(g.Wo, m);
  const int64_t row = std::max<int64_t>(1, a2 * (g.Cin + g.Cout) * tw * static_cast<int64_t>(elem));
  const int64_t rows = std::max<int64_t>(1, kTileBudget / row);
  std::vector<Unit> units;
  if (rows >= th) {
    // At least kMinTiles tiles a unit even past the budget: with wide layers (256 channels at
    // 14 px, 16 tiles an image) one image a unit made GEMMs 16 columns wide, slower than im2col.
    const int64_t G = std::clamp<int64_t>(std::max(rows / th, (kMinTiles + th * tw - 1) / (th * tw)), 1,
                                          std::max<int64_t>(b_end - b_begin, 1));
    for (int64_t b0 = b_begin; b0 < b_end; b0 += G) units.push_back({b0, std::min(G, b_end - b0), 0, th});
  } else {
    for (int64_t b = b_begin; b < b_end; ++b)
      for (int64_t ty0 = 0; ty0 < th; ty0 += rows) units.push_back({b, 1, ty0, std::min(th, ty0 + rows)});
  }
  return units;
}

int64_t largest(const std::vector<Unit>& units, int64_t tw) {
  int64_t p = 0;
  for (const Unit& u : units) p = std::max(p, u.tiles(tw));
  return p;
}

// The calling thread's buffer `slot`, at least n elements, kept from call to call: a fresh vector
// per call cost its zeroing and page faults (a quarter of a 256-channel layer's time).
enum Slot { kFilter, kInput, kOutput, kFilterGrad, kSlots };
template <class T>
T* scratch(Slot slot, int64_t n) {
  thread_local std::vector<T> buffers[kSlots];
  std::vector<T>& b = buffers[slot];
  if (b.size() < static_cast<size_t>(n)) b.resize(static_cast<size_t>(n));
  return b.data();
}

// fn(plane of the unit's tiles, image b, channel c) over the unit's (image, channel) planes.
template <class F>
void for_planes(const Unit& u, int64_t channels, int64_t tw, F&& fn) {
  const int64_t per_image = (u.ty1 - u.ty0) * tw;
  parallel_for(0, u.nb * channels, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t bc = lo; bc < hi; ++bc) {
      const int64_t b = bc / channels, c = bc % channels;
      fn((c * u.nb + b) * per_image, u.b0 + b, c);
    }
  });
}

template <class T, int m>
void forward(const ConvGeom& g, const T* x, const T* w, const T* bias, T* y) {
  constexpr int64_t a2 = wg::tile_in(m) * wg::tile_in(m);
  const int64_t tw = wg::tiles(g.Wo, m);
  T* U = scratch<T>(kFilter, a2 * g.Cout * g.Cin);
  wg::filter_transform<T, m>(w, g.Cout, g.Cin, U);
  for_image_shares(g.B, image_shares(g.B), [&](int64_t b_begin, int64_t b_end, int64_t) {
    const std::vector<Unit> units = plan(g, m, sizeof(T), b_begin, b_end);
    const int64_t pmax = largest(units, tw);
    T* V = scratch<T>(kInput, a2 * plane_stride(g.Cin, pmax));
    T* M = scratch<T>(kOutput, a2 * plane_stride(g.Cout, pmax));
    for (const Unit& u : units) {
      const int64_t P = u.tiles(tw), vs = plane_stride(g.Cin, P), ms = plane_stride(g.Cout, P);
      for_planes(u, g.Cin, tw, [&](int64_t at, int64_t b, int64_t c) {
        wg::input_transform<T, m>(x + (b * g.Cin + c) * g.H * g.W, g.H, g.W, g.pad, u.ty0, u.ty1, tw,
                                  V + at, vs);
      });
      kernels::gemm_batched<T>(false, false, a2, g.Cout, P, g.Cin, T(1), U, g.Cin, g.Cout * g.Cin,
                               V, P, vs, T(0), M, P, ms);
      for_planes(u, g.Cout, tw, [&](int64_t at, int64_t b, int64_t c) {
        wg::output_transform<T, m>(M + at, ms, g.Ho, g.Wo, u.ty0, u.ty1, tw, bias ? bias[c] : T(0),
                                   y + (b * g.Cout + c) * g.howo());
      });
    }
  });
}

template <class T, int m>
void backward(const ConvGeom& g, const T* x, const T* w, const T* dy, T* dx, T* dw) {
  constexpr int64_t a2 = wg::tile_in(m) * wg::tile_in(m);
  const int64_t tw = wg::tiles(g.Wo, m), shares = image_shares(g.B), uw = a2 * g.Cout * g.Cin;
  T* U = dx ? scratch<T>(kFilter, uw) : nullptr;
  if (dx) wg::filter_transform<T, m>(w, g.Cout, g.Cin, U);
  // dU of each share (in its thread's buffer), summed on its own and added in share order.
  std::vector<T*> dU(dw ? static_cast<size_t>(shares) : 0);
  for_image_shares(g.B, shares, [&](int64_t b_begin, int64_t b_end, int64_t share) {
    const std::vector<Unit> units = plan(g, m, sizeof(T), b_begin, b_end);
    const int64_t pmax = largest(units, tw);
    T* V = scratch<T>(kInput, a2 * plane_stride(g.Cin, pmax));
    T* Z = scratch<T>(kOutput, a2 * plane_stride(g.Cout, pmax));
    if (dw) {
      dU[static_cast<size_t>(share)] = scratch<T>(kFilterGrad, uw);
      std::fill(dU[static_cast<size_t>(share)], dU[static_cast<size_t>(share)] + uw, T(0));
    }
    for (const Unit& u : units) {
      const int64_t P = u.tiles(tw), vs = plane_stride(g.Cin, P), ms = plane_stride(g.Cout, P);
      for_planes(u, g.Cout, tw, [&](int64_t at, int64_t b, int64_t c) {
        wg::output_transform_backward<T, m>(dy + (b * g.Cout + c) * g.howo(), g.Ho, g.Wo, u.ty0, u.ty1, tw,
                                            Z + at, ms);
      });
      if (dw) {  // dU_xi += Z_xi [Cout, P] V_xi^T [P, Cin], V recomputed rather than kept from forward
        for_planes(u, g.Cin, tw, [&](int64_t at, int64_t b, int64_t c) {
          wg::input_transform<T, m>(x + (b * g.Cin + c) * g.H * g.W, g.H, g.W, g.pad, u.ty0, u.ty1, tw,
                                    V + at, vs);
        });
        kernels::gemm_batched<T>(false, true, a2, g.Cout, g.Cin, P, T(1), Z, P, ms, V, P, vs, T(1), dU[static_cast<size_t>(share)], g.Cin, g.Cout * g.Cin);
      }
      if (dx) {  // dV_xi = U_xi^T Z_xi (into V's buffer), then scattered back onto the input
        kernels::gemm_batched<T>(true, false, a2, g.Cin, P, g.Cout, T(1), U, g.Cin, g.Cout * g.Cin,
                                 Z, P, ms, T(0), V, P, vs);
        for_planes(u, g.Cin, tw, [&](int64_t at, int64_t b, int64_t c) {
          T* plane = dx + (b * g.Cin + c) * g.H * g.W;
          if (u.ty0 == 0) std::fill(plane, plane + g.H * g.W, T(0));  // zeroed by the plane's first unit
          wg::input_transform_backward<T, m>(V + at, vs, g.H, g.W, g.pad, u.ty0, u.ty1, tw, plane);
        });
      }
    }
  });
  if (dw) {
    for (size_t s = 1; s < dU.size(); ++s)
      for (int64_t i = 0; i < uw; ++i) dU[0][i] += dU[s][i];
    wg::filter_transform_backward<T, m>(dU[0], g.Cout, g.Cin, dw);
  }
}

}  // namespace

bool winograd_applies(const ConvGeom& g) {
  const bool wide_enough = g.Ho >= 16 && g.Wo >= 16, channels = std::min(g.Cin, g.Cout) >= 8 && std::max(g.Cin, g.Cout) <= 128;
  return g.KH == 3 && g.KW == 3 && g.stride == 1 && wide_enough && channels;
}

int winograd_tile(const ConvGeom&) { return 4; }

template <class T>
void winograd_forward(const ConvGeom& g, int m, const T* x, const T* w, const T* bias, T* y) {
  m == 4 ? forward<T, 4>(g, x, w, bias, y) : forward<T, 2>(g, x, w, bias, y);
}

template <class T>
void winograd_backward(const ConvGeom& g, int m, const T* x, const T* w, const T* dy, T* dx, T* dw) {
  m == 4 ? backward<T, 4>(g, x, w, dy, dx, dw) : backward<T, 2>(g, x, w, dy, dx, dw);
}

template void winograd_forward<float>(const ConvGeom&, int, const float*, const float*, const float*, float*);
template void winograd_forward<double>(const ConvGeom&, int, const double*, const double*, const double*, double*);
template void winograd_backward<float>(const ConvGeom&, int, const float*, const float*, const float*, float*,
                                       float*);
template void winograd_backward<double>(const ConvGeom&, int, const double*, const double*, const double*, double*,
                                        double*);

}  // namespace attnscope::ops::conv
