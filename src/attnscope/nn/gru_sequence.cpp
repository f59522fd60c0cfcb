// GRU gate math (one row of one step), forward and backward side by side; the sequence loop,
// GEMMs and BPTT bookkeeping are in recurrent_driver.h. act = [r, z, n], aux = W_hn h + b_hn.
#include <cmath>

#include "attnscope/kernels/rows.h"
#include "attnscope/nn/recurrent_driver.h"
#include "attnscope/nn/recurrent_ops.h"

namespace attnscope::nn {

const autograd::OpDef kOp_gru_sequence{"gru_sequence"};

namespace {

struct GruCell {
  static constexpr int kGates = 3;
  static constexpr bool kHasCell = false;

  // Pre-activations are gathered in act so that each gate block goes through the row table's
  // vectorized sigmoid / tanh at once (scalar libm calls were ~14% of a BiGRU training step).
  template <class S>
  static void forward(int64_t H, const S* gi, const S* gh, const S* hp, const S*, S* h, S*, S* act,
                      S* aux) {
    const auto& k = kernels::row_kernels_for<S>();
    for (int64_t j = 0; j < 2 * H; ++j) act[j] = gi[j] + gh[j];
    k.sigmoid(act, act, 2 * H);  // r, z
    S* n = act + 2 * H;
    for (int64_t j = 0; j < H; ++j) {
      aux[j] = gh[2 * H + j];
      n[j] = gi[2 * H + j] + act[j] * aux[j];
    }
    k.tanh(n, n, H);
    for (int64_t j = 0; j < H; ++j) h[j] = n[j] + act[H + j] * (hp[j] - n[j]);  // (1 - z) n + z h
  }

  template <class S>
  static void backward(int64_t H, const S* act, const S* aux, const S* hp, const S*, S* dh, S*,
                       S* dgi, S* dgh) {
    for (int64_t j = 0; j < H; ++j) {
      const S r = act[j], z = act[H + j], n = act[2 * H + j], ghn = aux[j], d = dh[j];
      // h = (1 - z) n + z hp
      const S dn = d * (S(1) - z), dz = d * (hp[j] - n);
      // n = tanh(a_n), a_n = gi_n + r ghn
      const S dan = dn * (S(1) - n * n);
      const S dar = dan * ghn * r * (S(1) - r);  // r = s(a_r)
      const S daz = dz * z * (S(1) - z);          // z = s(a_z)
      dgi[j] = dar; dgi[H + j] = daz; dgi[2 * H + j] = dan;
      dgh[j] = dar; dgh[H + j] = daz; dgh[2 * H + j] = dan * r;
      dh[j] = d * z;
    }
  }
};

}  // namespace

Tensor gru_sequence(const Tensor& x, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                    const Tensor& b_hh, const Tensor& h0, const Tensor& mask, bool reverse) {
  return detail::run_sequence<GruCell>(kOp_gru_sequence, x, w_ih, w_hh, b_ih, b_hh, h0, Tensor(),
                                       mask, reverse);
}

}  // namespace attnscope::nn
