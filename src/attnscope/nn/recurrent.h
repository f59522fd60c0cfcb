// GRU and LSTM modules: multi-layer, optionally bidirectional, batch-first, with masks for
// variable-length batches (padded steps keep the state and output zeros). Each layer direction
// is one fused op (recurrent_ops.h). Parameter names and layouts are PyTorch's
// (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, ..._reverse), initialized
// U(-1/sqrt(H), 1/sqrt(H)) like torch.nn.GRU/LSTM.
//
// A decoder that feeds one step at a time calls forward with T = 1 and passes the state back.
#pragma once
#include <memory>
#include <string>

#include "attnscope/nn/module.h"

namespace attnscope::nn {

struct RecurrentOptions {
  int64_t input_size = 0;   // C
  int64_t hidden_size = 0;  // H
  int num_layers = 1;       // L
  bool bidirectional = false;
  bool bias = true;
};

struct RecurrentOutput {
  Tensor output;  // [B, T, D*H]  last layer, directions concatenated (forward first)
  Tensor h_n;     // [L*D, B, H]  final state per layer and direction (index l*D + d)
  Tensor c_n;     // [L*D, B, H]  LSTM only
};

class RecurrentBase : public Module {
 public:
  enum class Kind { gru, lstm };
  RecurrentBase(Kind kind, const RecurrentOptions& opt, Rng& rng);
  std::string type_name() const override { return kind_ == Kind::gru ? "GRU" : "LSTM"; }

  // x [B, T, C]; mask [B, T] 0/1 (undefined: all valid); h0, c0 [L*D, B, H] (undefined: zeros;
  // c0 only for LSTM).
  RecurrentOutput forward(const Tensor& x, const Tensor& mask = {}, const Tensor& h0 = {},
                          const Tensor& c0 = {}) const;

  const RecurrentOptions& options() const { return opt_; }
  int num_directions() const { return opt_.bidirectional ? 2 : 1; }

 private:
  struct Weights {
    Tensor w_ih, w_hh, b_ih, b_hh;  // [G*H, C_l], [G*H, H], [G*H], [G*H]
  };
  Kind kind_;
  RecurrentOptions opt_;
  std::vector<Weights> weights_;  // index l*D + d
};

class GRU : public RecurrentBase {
 public:
  GRU(const RecurrentOptions& opt, Rng& rng) : RecurrentBase(Kind::gru, opt, rng) {}
};

class LSTM : public RecurrentBase {
 public:
  LSTM(const RecurrentOptions& opt, Rng& rng) : RecurrentBase(Kind::lstm, opt, rng) {}
};

// The recurrent layer a config names: "lstm" or "gru" (anything else is a ConfigError).
std::shared_ptr<RecurrentBase> make_recurrent(const std::string& cell, const RecurrentOptions& opt, Rng& rng);

// A [B, T] 0/1 mask (f32) with row b valid for t < lengths[b] (right padding).
Tensor lengths_to_mask(const std::vector<int64_t>& lengths, int64_t T);

}  // namespace attnscope::nn
