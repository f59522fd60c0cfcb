#include "attnscope/nn/recurrent_driver.h"

namespace attnscope::nn::detail {

SeqDims check_sequence_args(const char* op, int gates, const Tensor& x, const Tensor& w_ih,
                            const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh,
                            const Tensor& h0, const Tensor& c0, const Tensor& mask) {
  const std::string o(op);
  if (!x.defined() || x.ndim() != 3 || x.size(0) < 1 || x.size(1) < 1 || x.size(2) < 1)
    throw ShapeError(o + ": expected x [B, T, C] with B, T, C >= 1, got " +
                     (x.defined() ? x.str() : std::string("undefined")));
  SeqDims d{x.size(0), x.size(1), x.size(2), 0, gates};
  if (!w_hh.defined() || w_hh.ndim() != 2 || w_hh.size(1) < 1 || w_hh.size(0) != gates * w_hh.size(1))
    throw ShapeError(o + ": expected w_hh [" + std::to_string(gates) + "*H, H], got " +
                     (w_hh.defined() ? w_hh.str() : std::string("undefined")));
  d.H = w_hh.size(1);
  const int64_t GH = gates * d.H;
  auto need = [&](const Tensor& t, const Shape& s, const char* name, bool optional) {
    if (!t.defined()) {
      if (optional) return;
      throw ShapeError(o + ": " + name + " is undefined");
    }
    if (!(t.shape() == s))
      throw ShapeError(o + ": expected " + name + " " + s.str() + " for x " + x.str() + " and w_hh " +
                       w_hh.str() + ", got " + t.str());
    if (t.dtype() != x.dtype() && std::string(name) != "mask")
      throw ShapeError(o + ": " + name + " is " + t.str() + " but x is " + x.str() + " (dtypes differ)");
  };
  need(w_ih, Shape{GH, d.C}, "w_ih", false);
  need(w_hh, Shape{GH, d.H}, "w_hh", false);
  need(b_ih, Shape{GH}, "b_ih", true);
  need(b_hh, Shape{GH}, "b_hh", true);
  need(h0, Shape{d.B, d.H}, "h0", true);
  need(c0, Shape{d.B, d.H}, "c0", true);
  need(mask, Shape{d.B, d.T}, "mask", true);
  return d;
}

std::vector<uint8_t> mask_bytes(const Tensor& mask, int64_t B, int64_t T) {
  std::vector<uint8_t> m(static_cast<size_t>(B * T), 1);
  if (!mask.defined()) return m;
  const std::vector<double> v = mask.to_vector_f64();
  for (size_t i = 0; i < m.size(); ++i) m[i] = v[i] != 0.0;
  return m;
}

}  // namespace attnscope::nn::detail
