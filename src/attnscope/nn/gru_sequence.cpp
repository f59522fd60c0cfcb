// GRU gate math (one row of one step), forward and backward side by side; the sequence loop,
// GEMMs and BPTT bookkeeping are in recurrent_driver.h. act = [r, z, n], aux = W_hn h + b_hn.
#include <cmath>

#include "attnscope/nn/recurrent_driver.h"
#include "attnscope/nn/recurrent_ops.h"

namespace attnscope::nn {

const autograd::OpDef kOp_gru_sequence{"gru_sequence"};

namespace {

using detail::sigmoid;
using detail::tanh_act;

struct GruCell {
  static constexpr int kGates = 3;
  static constexpr bool kHasCell = false;

  template <class S>
  static void forward(int64_t H, const S* gi, const S* gh, const S* hp, const S*, S* h, S*, S* act,
                      S* aux) {
    for (int64_t j = 0; j < H; ++j) {
      const S r = sigmoid(gi[j] + gh[j]);
      const S z = sigmoid(gi[H + j] + gh[H + j]);
      const S ghn = gh[2 * H + j];
      const S n = tanh_act(gi[2 * H + j] + r * ghn);
      h[j] = n + z * (hp[j] - n);  // (1 - z) n + z h
      act[j] = r; act[H + j] = z; act[2 * H + j] = n;
      aux[j] = ghn;
    }
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
