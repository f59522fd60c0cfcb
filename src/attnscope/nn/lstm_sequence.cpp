// LSTM gate math (one row of one step), forward and backward side by side; the sequence loop,
// GEMMs and BPTT bookkeeping are in recurrent_driver.h. act = [i, f, g, o], aux = tanh(c).
#include <cmath>

#include "attnscope/kernels/rows.h"
#include "attnscope/nn/recurrent_driver.h"
#include "attnscope/nn/recurrent_ops.h"

namespace attnscope::nn {

const autograd::OpDef kOp_lstm_sequence{"lstm_sequence"};

namespace {


struct LstmCell {
  static constexpr int kGates = 4;
  static constexpr bool kHasCell = true;

  // Pre-activations are gathered in act so that each gate block goes through the row table's
  // vectorized sigmoid / tanh at once.
  template <class S>
  static void forward(int64_t H, const S* gi, const S* gh, const S*, const S* cp, S* h, S* c,
                      S* act, S* aux) {
    const auto& k = kernels::row_kernels_for<S>();
    for (int64_t j = 0; j < 4 * H; ++j) act[j] = gi[j] + gh[j];
    k.sigmoid(act, act, 2 * H);  // i, f
    k.tanh(act + 2 * H, act + 2 * H, H);  // g
    k.sigmoid(act + 3 * H, act + 3 * H, H);  // o
    for (int64_t j = 0; j < H; ++j) c[j] = act[H + j] * cp[j] + act[j] * act[2 * H + j];
    k.tanh(c, aux, H);  // tanh(c)
    for (int64_t j = 0; j < H; ++j) h[j] = act[3 * H + j] * aux[j];
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
