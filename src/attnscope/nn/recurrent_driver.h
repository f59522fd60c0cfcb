// The sequence driver shared by gru_sequence and lstm_sequence (internal to nn/). A Cell
// supplies the per-row gate math, forward and backward side by side:
//   static constexpr int kGates;        // G: 3 (GRU) or 4 (LSTM)
//   static constexpr bool kHasCell;     // carries a cell state c (LSTM)
//   forward(H, gi, gh, hp, cp, h, c, act, aux)
//       gi, gh [G*H]: input and hidden projections (biases included); hp, cp [H]: previous
//       state; writes h, c [H], act [G*H] (gate activations) and aux [H] (saved for backward).
//   backward(H, act, aux, hp, cp, dh, dc, dgi, dgh)
//       dh, dc [H]: in: dL/dh_t, dL/dc_t; out: dL/dh_{t-1} without the W_hh path (the driver
//       adds dgh W_hh), dL/dc_{t-1}. Writes dgi, dgh [G*H]: dL/d(gi), dL/d(gh).
// Buffers are indexed by processing step s (t = s, or T-1-s when reverse), time-major so a
// step's rows are contiguous for its GEMM.
#pragma once
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "attnscope/autograd/graph.h"
#include "attnscope/core/error.h"
#include "attnscope/core/parallel.h"
#include "attnscope/kernels/gemm.h"
#include "attnscope/tensor/tensor.h"

namespace attnscope::nn::detail {

struct SeqDims {
  int64_t B, T, C, H, G;
};

// Validates shapes and dtypes; throws ShapeError naming the op.
SeqDims check_sequence_args(const char* op, int gates, const Tensor& x, const Tensor& w_ih,
                            const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh,
                            const Tensor& h0, const Tensor& c0, const Tensor& mask);
// mask [B, T] (any dtype, nonzero = valid) -> bytes; undefined -> all ones.
std::vector<uint8_t> mask_bytes(const Tensor& mask, int64_t B, int64_t T);

// Rows handled per parallel chunk: ~32k gate elements (~50 us). Smaller steps run inline: a
// fork/join per time step cost more than it saved at B=64, H=128, and on a loaded machine a
// descheduled worker stalls every step.
inline int64_t row_grain(int64_t H, int G) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(1, G * H)); }

template <class T>
void add_bias_rows(T* m, int64_t rows, int64_t cols, const T* bias) {
  if (!bias) return;
  parallel_for(0, rows, std::max<int64_t>(1, (1 << 16) / std::max<int64_t>(1, cols)), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r)
      for (int64_t j = 0; j < cols; ++j) m[r * cols + j] += bias[j];
  });
}

// out[cols] = sum over rows of m[rows, cols], as a GEMM with a ones vector (BLAS-fast).
template <class T>
void column_sums(const T* m, int64_t rows, int64_t cols, T* out) {
  std::vector<T> ones(static_cast<size_t>(std::max<int64_t>(rows, 1)), T(1));
  kernels::gemm(false, false, 1, cols, rows, T(1), ones.data(), rows, m, cols, T(0), out, cols);
}

template <class Cell>
Tensor run_sequence(const autograd::OpDef& op, const Tensor& x, const Tensor& w_ih,
                    const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh, const Tensor& h0,
                    const Tensor& c0, const Tensor& mask, bool reverse) {
  constexpr int G = Cell::kGates;
  constexpr int kExtra = Cell::kHasCell ? 2 : 1;
  const SeqDims d = check_sequence_args(op.name.data(), G, x, w_ih, w_hh, b_ih, b_hh, h0, c0, mask);
  const int64_t B = d.B, T = d.T, C = d.C, H = d.H, GH = G * H;
  const DType dt = x.dtype();
  const std::vector<uint8_t> m = mask_bytes(mask, B, T);

  // Saved for backward without autograd history (the node keeps the inputs themselves).
  Tensor xc = x.contiguous().detach();                                   // [B, T, C]
  Tensor wih = w_ih.contiguous().detach(), whh = w_hh.contiguous().detach();  // [GH, C], [GH, H]
  Tensor hs = Tensor::zeros(Shape{T + 1, B, H}, dt);             // states; hs[s] = h before step s
  Tensor cs = Cell::kHasCell ? Tensor::zeros(Shape{T + 1, B, H}, dt) : Tensor();
  Tensor act = Tensor::empty(Shape{T, B, GH}, dt);               // gate activations
  Tensor aux = Tensor::empty(Shape{T, B, H}, dt);                // cell-specific saved values
  Tensor y = Tensor::zeros(Shape{B, T + kExtra, H}, dt);         // packed outputs

  dispatch_dtype(dt, [&]<class S>() {
    const S* X = xc.data<S>();
    const S* Wih = wih.data<S>();
    const S* Whh = whh.data<S>();
    Tensor bih_c = b_ih.defined() ? b_ih.contiguous() : Tensor();
    Tensor bhh_c = b_hh.defined() ? b_hh.contiguous() : Tensor();
    const S* bih = bih_c.defined() ? bih_c.data<S>() : nullptr;
    const S* bhh = bhh_c.defined() ? bhh_c.data<S>() : nullptr;
    S* HS = hs.data<S>();
    S* CS = Cell::kHasCell ? cs.data<S>() : nullptr;
    S* ACT = act.data<S>();
    S* AUX = aux.data<S>();
    S* Y = y.data<S>();
    if (h0.defined()) std::memcpy(HS, h0.contiguous().data<S>(), sizeof(S) * B * H);
    if (Cell::kHasCell && c0.defined()) std::memcpy(CS, c0.contiguous().data<S>(), sizeof(S) * B * H);

    // gi [B*T, GH] = X W_ih^T + b_ih: all steps in one GEMM.
    std::vector<S> gi(static_cast<size_t>(B * T * GH));
    kernels::gemm(false, true, B * T, GH, C, S(1), X, C, Wih, C, S(0), gi.data(), GH);
    add_bias_rows(gi.data(), B * T, GH, bih);
    std::vector<S> gh(static_cast<size_t>(B * GH));  // [B, GH] one step's h W_hh^T + b_hh

    for (int64_t s = 0; s < T; ++s) {
      const int64_t t = reverse ? T - 1 - s : s;
      const S* hp_all = HS + s * B * H;
      kernels::gemm(false, true, B, GH, H, S(1), hp_all, H, Whh, H, S(0), gh.data(), GH);
      parallel_for(0, B, row_grain(H, G), [&](int64_t lo, int64_t hi) {
        for (int64_t b = lo; b < hi; ++b) {
          const S* hp = hp_all + b * H;
          S* h = HS + (s + 1) * B * H + b * H;
          const S* cp = Cell::kHasCell ? CS + s * B * H + b * H : nullptr;
          S* c = Cell::kHasCell ? CS + (s + 1) * B * H + b * H : nullptr;
          if (!m[b * T + t]) {  // padded step: carry the state, output stays zero
            std::memcpy(h, hp, sizeof(S) * H);
            if (c) std::memcpy(c, cp, sizeof(S) * H);
            continue;
          }
          S* ghb = gh.data() + b * GH;
          if (bhh)
            for (int64_t j = 0; j < GH; ++j) ghb[j] += bhh[j];
          Cell::forward(H, gi.data() + (b * T + t) * GH, ghb, hp, cp, h, c,
                        ACT + (s * B + b) * GH, AUX + (s * B + b) * H);
          std::memcpy(Y + (b * (T + kExtra) + t) * H, h, sizeof(S) * H);
        }
      });
    }
    for (int64_t b = 0; b < B; ++b) {
      std::memcpy(Y + (b * (T + kExtra) + T) * H, HS + T * B * H + b * H, sizeof(S) * H);
      if (Cell::kHasCell)
        std::memcpy(Y + (b * (T + kExtra) + T + 1) * H, CS + T * B * H + b * H, sizeof(S) * H);
    }
  });

  const bool need_x = x.requires_grad(), need_h0 = h0.defined() && h0.requires_grad(),
             need_c0 = c0.defined() && c0.requires_grad();
  autograd::record(
      op, {x, w_ih, w_hh, b_ih, b_hh, h0, c0}, y,
      [=, m = std::move(m)](const Tensor& gy_in) {
        Tensor gy = gy_in.contiguous();  // [B, T + kExtra, H]
        Tensor dx, dwih = Tensor::empty(wih.shape(), dt), dwhh = Tensor::empty(whh.shape(), dt);
        Tensor dbih = Tensor::empty(Shape{GH}, dt), dbhh = Tensor::empty(Shape{GH}, dt);
        Tensor dh = Tensor::empty(Shape{B, H}, dt);
        Tensor dc = Cell::kHasCell ? Tensor::empty(Shape{B, H}, dt) : Tensor();
        dispatch_dtype(dt, [&]<class S>() {
          const S* GY = gy.data<S>();
          const S* HS = hs.data<S>();
          const S* CS = Cell::kHasCell ? cs.data<S>() : nullptr;
          const S* ACT = act.data<S>();
          const S* AUX = aux.data<S>();
          const S* Whh = whh.data<S>();
          S* DH = dh.data<S>();
          S* DC = Cell::kHasCell ? dc.data<S>() : nullptr;
          for (int64_t b = 0; b < B; ++b) {
            std::memcpy(DH + b * H, GY + (b * (T + kExtra) + T) * H, sizeof(S) * H);
            if (DC) std::memcpy(DC + b * H, GY + (b * (T + kExtra) + T + 1) * H, sizeof(S) * H);
          }
          // Gate gradients: dgi by time (rows match X), dgh by step (rows match hs).
          std::vector<S> dgi(static_cast<size_t>(B * T * GH), S(0));  // [B, T, GH]
          std::vector<S> dgh(static_cast<size_t>(T * B * GH), S(0));  // [T, B, GH]
          for (int64_t s = T - 1; s >= 0; --s) {
            const int64_t t = reverse ? T - 1 - s : s;
            parallel_for(0, B, row_grain(H, G), [&](int64_t lo, int64_t hi) {
              for (int64_t b = lo; b < hi; ++b) {
                if (!m[b * T + t]) continue;  // padded step: dL/dh, dL/dc pass through
                S* dhb = DH + b * H;
                const S* gyb = GY + (b * (T + kExtra) + t) * H;
                for (int64_t j = 0; j < H; ++j) dhb[j] += gyb[j];
                Cell::backward(H, ACT + (s * B + b) * GH, AUX + (s * B + b) * H,
                               HS + s * B * H + b * H,
                               Cell::kHasCell ? CS + s * B * H + b * H : nullptr, dhb,
                               DC ? DC + b * H : nullptr, dgi.data() + (b * T + t) * GH,
                               dgh.data() + (s * B + b) * GH);
              }
            });
            // dh_{t-1} += dgh_s W_hh  (masked rows have dgh = 0)
            kernels::gemm(false, false, B, H, GH, S(1), dgh.data() + s * B * GH, GH, Whh, H,
                          S(1), DH, H);
          }
          // Weight gradients for all steps at once.
          //   dW_hh [GH, H] = dgh^T [GH, T*B] hs[0:T] [T*B, H];  db_hh = sum_rows dgh
          kernels::gemm(true, false, GH, H, T * B, S(1), dgh.data(), GH, HS, H, S(0),
                        dwhh.data<S>(), H);
          column_sums(dgh.data(), T * B, GH, dbhh.data<S>());
          //   dW_ih [GH, C] = dgi^T [GH, B*T] X [B*T, C];  db_ih = sum_rows dgi
          kernels::gemm(true, false, GH, C, B * T, S(1), dgi.data(), GH, xc.data<S>(), C, S(0),
                        dwih.data<S>(), C);
          column_sums(dgi.data(), B * T, GH, dbih.data<S>());
          if (need_x) {  // dX [B*T, C] = dgi W_ih
            dx = Tensor::empty(xc.shape(), dt);
            kernels::gemm(false, false, B * T, C, GH, S(1), dgi.data(), GH, wih.data<S>(), C,
                          S(0), dx.data<S>(), C);
          }
        });
        return std::vector<Tensor>{dx, dwih, dwhh, dbih, dbhh, need_h0 ? dh : Tensor(),
                                   need_c0 ? dc : Tensor()};
      });
  return y;
}

}  // namespace attnscope::nn::detail
