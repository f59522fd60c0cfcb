// LSTM gate math (one row of one step), forward and backward side by side; the sequence loop,
// GEMMs and BPTT bookkeeping are in recurrent_driver.h. act = [i, f, g, o], aux = tanh(c).
#include <cmath>

#include "attnscope/nn/recurrent_driver.h"
#include "attnscope/nn/recurrent_ops.h"

namespace attnscope::nn {

const autograd::OpDef kOp_lstm_sequence{"lstm_sequence"};

namespace {

using detail::sigmoid;
using detail::tanh_act;

struct LstmCell {
  static constexpr int kGates = 4;
  static constexpr bool kHasCell = true;

  template <class S>
  static void forward(int64_t H, const S* gi, const S* gh, const S*, const S* cp, S* h, S* c,
                      S* act, S* aux) {
    for (int64_t j = 0; j < H; ++j) {
      const S i = sigmoid(gi[j] + gh[j]);
      const S f = sigmoid(gi[H + j] + gh[H + j]);
      const S g = tanh_act(gi[2 * H + j] + gh[2 * H + j]);
      const S o = sigmoid(gi[3 * H + j] + gh[3 * H + j]);
      c[j] = f * cp[j] + i * g;
      const S tc = tanh_act(c[j]);
      h[j] = o * tc;
      act[j] = i; act[H + j] = f; act[2 * H + j] = g; act[3 * H + j] = o;
      aux[j] = tc;
    }
  }

  template <class S>
  static void backward(int64_t H, const S* act, const S* aux, const S*, const S* cp, S* dh, S* dc,
                       S* dgi, S* dgh) {
    for (int64_t j = 0; j < H; ++j) {
      const S i = act[j], f = act[H + j], g = act[2 * H + j], o = act[3 * H + j], tc = aux[j];
      // h = o tanh(c)
      const S d_o = dh[j] * tc;
      const S dcj = dc[j] + dh[j] * o * (S(1) - tc * tc);
      // c = f cp + i g
      const S dai = dcj * g * i * (S(1) - i);
      const S daf = dcj * cp[j] * f * (S(1) - f);
      const S dag = dcj * i * (S(1) - g * g);
      const S dao = d_o * o * (S(1) - o);
      dgi[j] = dgh[j] = dai;
      dgi[H + j] = dgh[H + j] = daf;
      dgi[2 * H + j] = dgh[2 * H + j] = dag;
      dgi[3 * H + j] = dgh[3 * H + j] = dao;
      dc[j] = dcj * f;
      dh[j] = S(0);  // h_{t-1} reaches h_t only through W_hh (added by the driver)
    }
  }
};

}  // namespace

Tensor lstm_sequence(const Tensor& x, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                     const Tensor& b_hh, const Tensor& h0, const Tensor& c0, const Tensor& mask,
                     bool reverse) {
  return detail::run_sequence<LstmCell>(kOp_lstm_sequence, x, w_ih, w_hh, b_ih, b_hh, h0, c0, mask,
                                        reverse);
}

}  // namespace attnscope::nn
