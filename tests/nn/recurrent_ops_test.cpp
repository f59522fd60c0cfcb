// gru_sequence / lstm_sequence: forward against a plain scalar reference of PyTorch's
// equations, gradients against central differences (f64, odd sizes, masks, both directions,
// initial states), and the mask contract (padded steps keep the state, output zeros).
#include <gtest/gtest.h>

#include <cmath>
#include <tuple>

#include "attnscope/autograd/gradcheck.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/nn/recurrent.h"
#include "attnscope/nn/recurrent_ops.h"

namespace attnscope::nn {
namespace {

Tensor param(Rng& rng, const Shape& s) {
  Tensor t = Tensor::uniform(s, rng, -0.8, 0.8, DType::f64);
  t.requires_grad_();
  return t;
}

double sig(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// Scalar reference: one direction, no mask. Returns [B, T, H] outputs.
std::vector<double> reference(bool lstm, const Tensor& x, const Tensor& wih, const Tensor& whh,
                              const Tensor& bih, const Tensor& bhh, bool reverse) {
  const int64_t B = x.size(0), T = x.size(1), C = x.size(2), H = whh.size(1), G = lstm ? 4 : 3;
  std::vector<double> out(B * T * H);
  for (int64_t b = 0; b < B; ++b) {
    std::vector<double> h(H, 0.0), c(H, 0.0);
    for (int64_t s = 0; s < T; ++s) {
      const int64_t t = reverse ? T - 1 - s : s;
      std::vector<double> gi(G * H), gh(G * H);
      for (int64_t k = 0; k < G * H; ++k) {
        gi[k] = bih.at({k});
        gh[k] = bhh.at({k});
        for (int64_t j = 0; j < C; ++j) gi[k] += wih.at({k, j}) * x.at({b, t, j});
        for (int64_t j = 0; j < H; ++j) gh[k] += whh.at({k, j}) * h[j];
      }
      for (int64_t j = 0; j < H; ++j) {
        if (lstm) {
          const double i = sig(gi[j] + gh[j]), f = sig(gi[H + j] + gh[H + j]);
          const double g = std::tanh(gi[2 * H + j] + gh[2 * H + j]), o = sig(gi[3 * H + j] + gh[3 * H + j]);
          c[j] = f * c[j] + i * g;
          h[j] = o * std::tanh(c[j]);
        } else {
          const double r = sig(gi[j] + gh[j]), z = sig(gi[H + j] + gh[H + j]);
          const double n = std::tanh(gi[2 * H + j] + r * gh[2 * H + j]);
          h[j] = (1 - z) * n + z * h[j];
        }
      }
      for (int64_t j = 0; j < H; ++j) out[(b * T + t) * H + j] = h[j];
    }
  }
  return out;
}

struct Case {
  bool lstm, reverse;
};

class RecurrentOp : public ::testing::TestWithParam<Case> {};

// Runs one direction in dtype (f32 goes through the active ISA's vectorized sigmoid / tanh, f64
// through the scalar table) and checks every output against the f64 reference computed from the
// same dtype-rounded inputs. Returns the output [B, T + 1 or 2, H].
Tensor check_forward(bool lstm, bool reverse, DType dtype, int64_t H, double tol) {
  Rng rng(7);
  const int64_t B = 3, T = 5, C = 4, G = lstm ? 4 : 3;
  std::vector<Tensor> w = {param(rng, {B, T, C}), param(rng, {G * H, C}), param(rng, {G * H, H}),
                           param(rng, {G * H}), param(rng, {G * H})};
  for (Tensor& t : w) t = t.detach().to(dtype);
  const auto& [x, wih, whh, bih, bhh] = std::tie(w[0], w[1], w[2], w[3], w[4]);
  Tensor y = lstm ? lstm_sequence(x, wih, whh, bih, bhh, {}, {}, {}, reverse)
                  : gru_sequence(x, wih, whh, bih, bhh, {}, {}, reverse);
  EXPECT_EQ(y.dtype(), dtype);
  EXPECT_EQ(y.shape(), (Shape{B, T + (lstm ? 2 : 1), H}));
  auto f64 = [](const Tensor& t) { return t.to(DType::f64); };
  const auto ref = reference(lstm, f64(x), f64(wih), f64(whh), f64(bih), f64(bhh), reverse);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t j = 0; j < H; ++j)
        EXPECT_NEAR(y.at({b, t, j}), ref[(b * T + t) * H + j], tol) << b << "," << t << "," << j;
  return y;
}

TEST_P(RecurrentOp, ForwardMatchesScalarReference) {
  const auto [lstm, reverse] = GetParam();
  const Tensor y = check_forward(lstm, reverse, DType::f64, 3, 1e-12);
  // The final state is the output of the last processed step.
  const int64_t B = y.size(0), T = y.size(1) - (lstm ? 2 : 1), H = y.size(2), last = reverse ? 0 : T - 1;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t j = 0; j < H; ++j) EXPECT_EQ(y.at({b, T, j}), y.at({b, last, j}));
}

// H = 19 leaves a tail in every gate block of the vectorized activations.
TEST_P(RecurrentOp, Float32ForwardMatchesScalarReference) {
  const auto [lstm, reverse] = GetParam();
  check_forward(lstm, reverse, DType::f32, 19, 3e-6);
}

TEST_P(RecurrentOp, GradcheckWithMaskAndInitialState) {
  const auto [lstm, reverse] = GetParam();
  Rng rng(11);
  const int64_t B = 3, T = 4, C = 5, H = 3, G = lstm ? 4 : 3;
  std::vector<Tensor> in = {param(rng, {B, T, C}), param(rng, {G * H, C}), param(rng, {G * H, H}),
                            param(rng, {G * H}), param(rng, {G * H}), param(rng, {B, H}),
                            param(rng, {B, H})};
  // Row 0 full, row 1 length 2, row 2 with a hole in the middle (any 0/1 pattern is allowed).
  Tensor mask = Tensor::from(std::vector<double>{1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1}, Shape{B, T});
  auto f = [&](const std::vector<Tensor>& v) {
    return lstm ? lstm_sequence(v[0], v[1], v[2], v[3], v[4], v[5], v[6], mask, reverse)
                : gru_sequence(v[0], v[1], v[2], v[3], v[4], v[5], mask, reverse);
  };
  if (!lstm) in[6] = Tensor();
  auto res = autograd::gradcheck(f, in);
  EXPECT_TRUE(res.ok) << res.detail << " max abs err " << res.max_abs_err;
  EXPECT_GT(res.checked, 100);
}

TEST_P(RecurrentOp, PaddedStepsKeepStateAndOutputZeros) {
  const auto [lstm, reverse] = GetParam();
  Rng rng(3);
  const int64_t T = 6, C = 4, H = 5, G = lstm ? 4 : 3, len = 4;
  Tensor wih = param(rng, {G * H, C}), whh = param(rng, {G * H, H}), bih = param(rng, {G * H}),
         bhh = param(rng, {G * H});
  Tensor x = param(rng, {1, T, C});
  Tensor xs = ops::contiguous(ops::slice(x, 1, 0, len));  // the unpadded sequence
  Tensor mask = lengths_to_mask({len}, T).to(DType::f64);
  auto run = [&](const Tensor& in, const Tensor& m) {
    return lstm ? lstm_sequence(in, wih, whh, bih, bhh, {}, {}, m, reverse)
                : gru_sequence(in, wih, whh, bih, bhh, {}, m, reverse);
  };
  Tensor padded = run(x, mask), plain = run(xs, {});
  for (int64_t j = 0; j < H; ++j) {
    for (int64_t t = 0; t < len; ++t) EXPECT_NEAR(padded.at({0, t, j}), plain.at({0, t, j}), 1e-14);
    for (int64_t t = len; t < T; ++t) EXPECT_EQ(padded.at({0, t, j}), 0.0);
    EXPECT_NEAR(padded.at({0, T, j}), plain.at({0, len, j}), 1e-14);  // final h
    if (lstm) {
      EXPECT_NEAR(padded.at({0, T + 1, j}), plain.at({0, len + 1, j}), 1e-14);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cells, RecurrentOp,
                         ::testing::Values(Case{false, false}, Case{false, true}, Case{true, false},
                                           Case{true, true}),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           return std::string(i.param.lstm ? "LSTM" : "GRU") +
                                  (i.param.reverse ? "Reverse" : "Forward");
                         });

TEST(RecurrentOpErrors, WrongShapesNameTheOpAndShapes) {
  Tensor x = Tensor::zeros(Shape{2, 3, 4}), whh = Tensor::zeros(Shape{9, 3});
  try {
    gru_sequence(x, Tensor::zeros(Shape{9, 5}), whh, {}, {}, {}, {}, false);
    FAIL() << "no error";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("gru_sequence"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[9, 5]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(gru_sequence(x, Tensor::zeros(Shape{9, 4}), Tensor::zeros(Shape{8, 3}), {}, {}, {}, {}, false),
               ShapeError);
  EXPECT_THROW(lstm_sequence(x, Tensor::zeros(Shape{12, 4}), Tensor::zeros(Shape{12, 3}), {}, {}, {}, {},
                             Tensor::zeros(Shape{3, 2}), false),
               ShapeError);
}

// The layer a config names: lstm and gru by name, anything else refused (models validate the
// name first; this is the last line of defence).
TEST(MakeRecurrent, NamesTheCellOrRefuses) {
  Rng rng(1);
  const RecurrentOptions o{4, 3, 1};
  EXPECT_EQ(make_recurrent("lstm", o, rng)->type_name(), "LSTM");
  EXPECT_EQ(make_recurrent("gru", o, rng)->type_name(), "GRU");
  EXPECT_THROW(make_recurrent("rnn", o, rng), ConfigError);
}

}  // namespace
}  // namespace attnscope::nn

namespace attnscope::nn {
namespace {
TEST(RecurrentOutputs, GradcheckAndLayout) {
  Rng rng(9);
  const int64_t B = 2, T = 3, E = 2, H = 3;
  std::vector<Tensor> in = {param(rng, {B, T + E, H}), param(rng, {B, T + E, H})};
  Tensor out = recurrent_outputs(in, T);
  ASSERT_EQ(out.shape(), (Shape{B, T, 2 * H}));
  EXPECT_EQ(out.at({1, 2, 4}), in[1].at({1, 2, 1}));
  auto res = autograd::gradcheck([&](const std::vector<Tensor>& v) { return recurrent_outputs(v, T); }, in);
  EXPECT_TRUE(res.ok) << res.detail;
  EXPECT_THROW(recurrent_outputs({in[0]}, T + E), ShapeError);
}
}  // namespace
}  // namespace attnscope::nn
