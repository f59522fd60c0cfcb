// recurrent_outputs: gathers the output rows of packed sequence results (see recurrent_ops.h).
//   forward:  out[b, t, d*H + j] = y_d[b, t, j]            (t < T)
//   backward: dy_d[b, t, j] = dout[b, t, d*H + j] for t < T; 0 for the final-state rows
#include <cstring>

#include "attnscope/autograd/graph.h"
#include "attnscope/core/error.h"
#include "attnscope/core/parallel.h"
#include "attnscope/nn/recurrent_ops.h"

namespace attnscope::nn {

const autograd::OpDef kOp_recurrent_outputs{"recurrent_outputs"};

Tensor recurrent_outputs(const std::vector<Tensor>& packed, int64_t T) {
  if (packed.empty()) throw ShapeError("recurrent_outputs: no inputs");
  const Tensor& y0 = packed[0];
  if (y0.ndim() != 3 || y0.size(1) <= T || T < 1)
    throw ShapeError("recurrent_outputs: expected packed [B, T + E, H] with T = " + std::to_string(T) +
                     ", got " + y0.str());
  for (const Tensor& y : packed)
    if (!(y.shape() == y0.shape()) || y.dtype() != y0.dtype())
      throw ShapeError("recurrent_outputs: inputs differ: " + y0.str() + " vs " + y.str());
  const int64_t B = y0.size(0), TE = y0.size(1), H = y0.size(2), D = static_cast<int64_t>(packed.size());
  const DType dt = y0.dtype();
  std::vector<Tensor> ys;
  for (const Tensor& y : packed) ys.push_back(y.contiguous());
  Tensor out = Tensor::empty(Shape{B, T, D * H}, dt);
  // Copies rows between [B, T, D*H] and the D packed [B, TE, H] buffers.
  auto move_rows = [B, T, TE, H, D, dt](std::vector<Tensor>& packs, Tensor& flat, bool to_flat) {
    dispatch_dtype(dt, [&]<class S>() {
      S* f = flat.data<S>();
      std::vector<S*> p;
      for (Tensor& t : packs) p.push_back(t.data<S>());
      parallel_for(0, B * T, 2048, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) {
          const int64_t b = i / T, t = i % T;
          for (int64_t d = 0; d < D; ++d) {
            S* a = f + (i * D + d) * H;
            S* c = p[d] + (b * TE + t) * H;
            if (to_flat)
              std::memcpy(a, c, sizeof(S) * H);
            else
              std::memcpy(c, a, sizeof(S) * H);
          }
        }
      });
    });
  };
  move_rows(ys, out, true);
  autograd::record(kOp_recurrent_outputs, packed, out, [=](const Tensor& g_in) {
    Tensor g = g_in.contiguous();  // [B, T, D*H]
    std::vector<Tensor> dys;
    for (int64_t d = 0; d < D; ++d) dys.push_back(Tensor::zeros(Shape{B, TE, H}, dt));
    move_rows(dys, g, false);
    return dys;
  });
  return out;
}

}  // namespace attnscope::nn
