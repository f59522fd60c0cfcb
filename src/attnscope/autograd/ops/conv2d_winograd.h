// conv2d by Winograd F(m x m, 3 x 3) (kernels/winograd.h) for 3x3 kernels at stride 1: the
// a^2 products per tile become a^2 GEMMs [Cout, Cin] x [Cin, tiles], 2.25x (m = 2) or 4x
// (m = 4) fewer multiplications than im2col's GEMM. The backward pass is the adjoint of every
// step of the forward one, so the gradient is exactly that of the numbers computed:
//   forward:  V = B^T d B (input),  U = G w G^T (filter),  M_xi = U_xi V_xi,  y = A^T M A + bias
//   backward: Z = A dy A^T,  dU_xi = Z_xi V_xi^T -> dw = G^T dU G,  dV_xi = U_xi^T Z_xi -> dx = B dV B^T
#pragma once
#include "attnscope/autograd/ops/conv2d_geom.h"

namespace attnscope::ops::conv {

// True when conv2d takes the Winograd path: 3x3, stride 1, outputs at least 16 a side and 8 to 128
// channels. Measured with bench/ops_conv2d on one AVX-512 core, these are where it wins (2.1-2.5x
// forward + backward at 32 channels, 64 px); with fewer tiles a row the transforms' vector lanes
// run partly empty, with 256 channels the filter transform (once per call) costs more than it
// saves, and with Cin = 3 (an RGB input) its K = 3 GEMMs crawl.
bool winograd_applies(const ConvGeom& g);
// The output tile side m conv2d uses (4: F(2x2, 3x3) is there for callers and tests).
int winograd_tile(const ConvGeom& g);

// y [B, Cout, Ho, Wo] from x [B, Cin, H, W], w [Cout, Cin, 3, 3] and bias [Cout] (nullptr: none).
template <class T>
void winograd_forward(const ConvGeom& g, int m, const T* x, const T* w, const T* bias, T* y);
// dx (=, nullptr: not wanted) and dw (+=, nullptr: not wanted) from dy.
template <class T>
void winograd_backward(const ConvGeom& g, int m, const T* x, const T* w, const T* dy, T* dx, T* dw);

}  // namespace attnscope::ops::conv
