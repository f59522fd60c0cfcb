#include "attnscope/nn/recurrent.h"

#include <cmath>

#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/nn/recurrent_ops.h"

namespace attnscope::nn {

RecurrentBase::RecurrentBase(Kind kind, const RecurrentOptions& opt, Rng& rng) : kind_(kind), opt_(opt) {
  if (opt.input_size <= 0 || opt.hidden_size <= 0 || opt.num_layers <= 0)
    throw ConfigError(type_name() + ": need input_size, hidden_size, num_layers > 0, got " +
                      std::to_string(opt.input_size) + ", " + std::to_string(opt.hidden_size) +
                      ", " + std::to_string(opt.num_layers));
  const int64_t H = opt.hidden_size, GH = (kind == Kind::gru ? 3 : 4) * H;
  const int D = num_directions();
  const double bound = 1.0 / std::sqrt(static_cast<double>(H));
  for (int l = 0; l < opt.num_layers; ++l) {
    const int64_t in = l == 0 ? opt.input_size : D * H;
    for (int d = 0; d < D; ++d) {
      const std::string sfx = "_l" + std::to_string(l) + (d == 1 ? "_reverse" : "");
      Weights w;
      w.w_ih = register_parameter("weight_ih" + sfx, Tensor::uniform(Shape{GH, in}, rng, -bound, bound));
      w.w_hh = register_parameter("weight_hh" + sfx, Tensor::uniform(Shape{GH, H}, rng, -bound, bound));
      if (opt.bias) {
        w.b_ih = register_parameter("bias_ih" + sfx, Tensor::uniform(Shape{GH}, rng, -bound, bound));
        w.b_hh = register_parameter("bias_hh" + sfx, Tensor::uniform(Shape{GH}, rng, -bound, bound));
      }
      weights_.push_back(std::move(w));
    }
  }
}

RecurrentOutput RecurrentBase::forward(const Tensor& x, const Tensor& mask, const Tensor& h0,
                                       const Tensor& c0) const {
  const std::string who = type_name();
  if (!x.defined() || x.ndim() != 3 || x.size(2) != opt_.input_size)
    throw ShapeError(who + ": expected x [B, T, " + std::to_string(opt_.input_size) + "], got " +
                     (x.defined() ? x.str() : std::string("undefined")));
  const int64_t B = x.size(0), T = x.size(1), H = opt_.hidden_size;
  const int D = num_directions(), L = opt_.num_layers;
  const Shape state_shape{L * D, B, H};
  if (h0.defined() && !(h0.shape() == state_shape))
    throw ShapeError(who + ": expected h0 " + state_shape.str() + ", got " + h0.str());
  if (c0.defined() && (kind_ != Kind::lstm || !(c0.shape() == state_shape)))
    throw ShapeError(who + ": expected c0 " + state_shape.str() + " (LSTM only), got " + c0.str());
  if (mask.defined() && !(mask.shape() == Shape{B, T}))
    throw ShapeError(who + ": expected mask [B, T] = " + Shape{B, T}.str() + ", got " + mask.str());

  auto initial = [&](const Tensor& s, int k) {
    return s.defined() ? ops::reshape(ops::slice(s, 0, k, k + 1), Shape{B, H}) : Tensor();
  };
  std::vector<Tensor> hn, cn;
  Tensor in = x;
  for (int l = 0; l < L; ++l) {
    std::vector<Tensor> packed;
    for (int d = 0; d < D; ++d) {
      const int k = l * D + d;
      const Weights& w = weights_[k];
      Tensor y;  // [B, T + 1 (+1), H]
      if (kind_ == Kind::gru)
        y = gru_sequence(in, w.w_ih, w.w_hh, w.b_ih, w.b_hh, initial(h0, k), mask, d == 1);
      else
        y = lstm_sequence(in, w.w_ih, w.w_hh, w.b_ih, w.b_hh, initial(h0, k), initial(c0, k), mask,
                          d == 1);
      packed.push_back(y);
      hn.push_back(ops::reshape(ops::slice(y, 1, T, T + 1), Shape{B, H}));
      if (kind_ == Kind::lstm) cn.push_back(ops::reshape(ops::slice(y, 1, T + 1, T + 2), Shape{B, H}));
    }
    in = recurrent_outputs(packed, T);  // [B, T, D*H]
  }
  RecurrentOutput out;
  out.output = in;
  out.h_n = ops::stack(hn, 0);
  if (kind_ == Kind::lstm) out.c_n = ops::stack(cn, 0);
  return out;
}

Tensor lengths_to_mask(const std::vector<int64_t>& lengths, int64_t T) {
  const int64_t B = static_cast<int64_t>(lengths.size());
  Tensor m = Tensor::zeros(Shape{B, T});
  float* p = m.data<float>();
  for (int64_t b = 0; b < B; ++b) {
    if (lengths[b] < 0 || lengths[b] > T)
      throw ValueError("lengths_to_mask: length " + std::to_string(lengths[b]) + " of row " +
                       std::to_string(b) + " outside [0, " + std::to_string(T) + "]");
    for (int64_t t = 0; t < lengths[b]; ++t) p[b * T + t] = 1.0f;
  }
  return m;
}

std::shared_ptr<RecurrentBase> make_recurrent(const std::string& cell, const RecurrentOptions& opt, Rng& rng) {
  if (cell == "lstm") return std::make_shared<LSTM>(opt, rng);
  if (cell == "gru") return std::make_shared<GRU>(opt, rng);
  throw ConfigError("unknown recurrent cell '" + cell + "' (lstm or gru)");
}

}  // namespace attnscope::nn
