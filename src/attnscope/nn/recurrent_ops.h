// Fused recurrent sequence ops: a whole GRU or LSTM layer direction over [B, T, C] as ONE
// autograd node. Why fused: the input projection of all T steps is one GEMM
// ([B*T, C] x [C, G*H]); each step costs one [B, H] x [H, G*H] GEMM plus one pass over the
// gates, with no per-gate tensors or graph nodes; backward (BPTT) accumulates the gate
// gradients of all steps and forms dW_ih, dW_hh with two large GEMMs at the end.
//
// Equations and weight layout follow PyTorch (torch.nn.GRU / torch.nn.LSTM), so imported
// weights (weight_ih [G*H, C], weight_hh [G*H, H], biases [G*H]) need no reordering:
//   GRU  (G = 3, gates r, z, n):
//     r = s(W_ir x + b_ir + W_hr h + b_hr)      z = s(W_iz x + b_iz + W_hz h + b_hz)
//     n = tanh(W_in x + b_in + r * (W_hn h + b_hn))      h' = (1 - z) * n + z * h
//   LSTM (G = 4, gates i, f, g, o):
//     i, f, o = s(W_i* x + b_i* + W_h* h + b_h*)   g = tanh(...)
//     c' = f * c + i * g                            h' = o * tanh(c')
// Masks: mask [B, T] of 0/1 (undefined = all steps valid). At a masked step the state is
// carried unchanged and the output is zero, so padded batches give the same results per row as
// unpadded ones, in either direction.
//
// Outputs are packed in one tensor because an autograd node has one output:
//   gru_sequence  -> [B, T + 1, H]: [:, :T] outputs, [:, T] final h
//   lstm_sequence -> [B, T + 2, H]: [:, :T] outputs, [:, T] final h, [:, T + 1] final c
// (take them apart with ops::slice; the recurrent modules in recurrent.h do).
// Biases, h0 and c0 may be undefined (zeros). f32 for models, f64 for gradient checks.
#pragma once
#include <vector>

#include "attnscope/autograd/registry.h"
#include "attnscope/tensor/tensor.h"

namespace attnscope::nn {

Tensor gru_sequence(const Tensor& x /*[B,T,C]*/, const Tensor& w_ih /*[3H,C]*/,
                    const Tensor& w_hh /*[3H,H]*/, const Tensor& b_ih /*[3H]*/,
                    const Tensor& b_hh /*[3H]*/, const Tensor& h0 /*[B,H]*/,
                    const Tensor& mask /*[B,T]*/, bool reverse);

Tensor lstm_sequence(const Tensor& x /*[B,T,C]*/, const Tensor& w_ih /*[4H,C]*/,
                     const Tensor& w_hh /*[4H,H]*/, const Tensor& b_ih /*[4H]*/,
                     const Tensor& b_hh /*[4H]*/, const Tensor& h0 /*[B,H]*/,
                     const Tensor& c0 /*[B,H]*/, const Tensor& mask /*[B,T]*/, bool reverse);

// The per-step outputs of D packed results (one per direction, each [B, T + E, H]) side by
// side: -> [B, T, D*H], direction d in columns [d*H, (d+1)*H). One copy pass each way (slices
// plus concat would cost three strided passes and a zero-fill).
Tensor recurrent_outputs(const std::vector<Tensor>& packed, int64_t T);

// Their OpDefs. They live in nn (not in autograd's ATTNSCOPE_OPS list, which autograd must be
// able to link alone); tests/nn/recurrent_ops_test.cpp gradchecks both.
extern const autograd::OpDef kOp_gru_sequence;
extern const autograd::OpDef kOp_lstm_sequence;
extern const autograd::OpDef kOp_recurrent_outputs;

}  // namespace attnscope::nn
