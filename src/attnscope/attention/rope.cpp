// rope forward and backward (see rope.h): the same rotation with +angle and -angle.
#include "attnscope/attention/rope.h"

#include <cmath>

#include "attnscope/attention/op_registry.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/core/error.h"
#include "attnscope/core/parallel.h"

namespace attnscope::attention {
const autograd::OpDef kOp_rope{"rope"};

namespace {

std::vector<double> inverse_frequencies(int64_t rot, double base) {
  std::vector<double> inv_freq(rot / 2);
  for (int64_t i = 0; i < rot / 2; ++i) inv_freq[i] = std::pow(base, -2.0 * static_cast<double>(i) / static_cast<double>(rot));
  return inv_freq;
}

// Rotates rows [lo, hi) of x [rows, HS] into y (may be x); row r sits at position pos_of(r);
// sign = +1 forward, -1 backward.
template <class T, class PosOf>
void rope_rotate(const T* x, T* y, int64_t lo, int64_t hi, int64_t HS, int64_t rot, PosOf pos_of,
                 const std::vector<double>& inv_freq, RopePairing pairing, double sign) {
  const int64_t half = rot / 2;
  for (int64_t r = lo; r < hi; ++r) {
    const T* xr = x + r * HS;
    T* yr = y + r * HS;
    const double pos = pos_of(r);
    for (int64_t i = 0; i < half; ++i) {
      const double ang = pos * inv_freq[i];
      const T c = static_cast<T>(std::cos(ang)), s = static_cast<T>(sign * std::sin(ang));
      const int64_t ia = pairing == RopePairing::interleaved ? 2 * i : i;
      const int64_t ib = pairing == RopePairing::interleaved ? 2 * i + 1 : i + half;
      const T a = xr[ia], b = xr[ib];
      yr[ia] = a * c - b * s;
      yr[ib] = a * s + b * c;
    }
    if (y != x)
      for (int64_t c = rot; c < HS; ++c) yr[c] = xr[c];
  }
}

}  // namespace

Tensor rope(const Tensor& x, int64_t offset, const RopeOptions& opt, const std::vector<int64_t>& positions) {
  if (!x.defined() || x.ndim() < 2) throw ShapeError("rope: expected x [..., T, HS], got " + (x.defined() ? x.str() : std::string("undefined")));
  const int64_t Tn = x.size(-2), HS = x.size(-1);
  const int64_t rot = opt.rot_dims ? opt.rot_dims : HS;
  if (rot <= 0 || rot > HS || rot % 2)
    throw ShapeError("rope: rot_dims " + std::to_string(rot) + " must be even and in (0, HS = " + std::to_string(HS) + "] for x " + x.str());
  if (!positions.empty() && static_cast<int64_t>(positions.size()) != Tn)
    throw ShapeError("rope: " + std::to_string(positions.size()) + " positions for x " + x.str() + " with T = " + std::to_string(Tn));
  if (!(opt.base > 0)) throw ConfigError("rope: base must be > 0");
  std::vector<double> pos(Tn);
  for (int64_t t = 0; t < Tn; ++t) pos[t] = static_cast<double>(positions.empty() ? offset + t : positions[t]);
  const int64_t outer = Tn * HS != 0 ? x.numel() / (Tn * HS) : 0;
  const Tensor xc = x.detach().contiguous();
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  const std::vector<double> inv_freq = inverse_frequencies(rot, opt.base);
  auto pos_of = [pos, Tn](int64_t r) { return pos[r % Tn]; };  // rows are [outer, T]
  dispatch_dtype(x.dtype(), [&]<class T>() {
    rope_rotate<T>(xc.data<T>(), y.data<T>(), 0, outer * Tn, HS, rot, pos_of, inv_freq, opt.pairing, +1.0);
  });
  autograd::record(kOp_rope, {x}, y, [pos_of, outer, Tn, HS, rot, inv_freq, opt](const Tensor& g) {
    const Tensor gc = g.contiguous();
    Tensor dx = Tensor::empty(gc.shape(), gc.dtype());
    dispatch_dtype(gc.dtype(), [&]<class T>() {
      rope_rotate<T>(gc.data<T>(), dx.data<T>(), 0, outer * Tn, HS, rot, pos_of, inv_freq, opt.pairing, -1.0);
    });
    return std::vector<Tensor>{dx};
  });
  return y;
}

void rope_rows(float* x, int64_t T, int64_t H, int64_t HS, int64_t pos0, const RopeOptions& opt) {
  const int64_t rot = opt.rot_dims ? opt.rot_dims : HS;
  if (rot <= 0 || rot > HS || rot % 2 || !(opt.base > 0))
    throw ShapeError("rope: rot_dims " + std::to_string(rot) + " must be even and in (0, HS = " + std::to_string(HS) +
                     "], base > 0");
  const std::vector<double> inv_freq = inverse_frequencies(rot, opt.base);
  auto pos_of = [pos0, H](int64_t r) { return static_cast<double>(pos0 + r / H); };  // rows are [T, H]
  parallel_for(0, T * H, 64, [&](int64_t lo, int64_t hi) {
    rope_rotate<float>(x, x, lo, hi, HS, rot, pos_of, inv_freq, opt.pairing, +1.0);
  });
}

}  // namespace attnscope::attention
