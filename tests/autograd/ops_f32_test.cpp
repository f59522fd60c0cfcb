// The float32 fast paths of the ops against plain loops or the float64 path (which gradcheck
// validates): broadcasting binary ops, reduce_to in every dim pattern, softmax family, norms,
// fused cross-entropy, im2col conv2d, dropout, the SIMD activations; and bit-determinism for a fixed thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/parallel.h"
#include "attnscope/kernels/isa.h"

namespace attnscope {
namespace {
using namespace ops;

Tensor rand32(Rng& rng, const Shape& s, double lo = -1, double hi = 1) {
  return Tensor::uniform(s, rng, lo, hi, DType::f32);
}

void expect_close(const Tensor& a, const Tensor& b, double tol, const std::string& what) {
  ASSERT_EQ(a.shape(), b.shape()) << what;
  const auto va = a.to_vector_f64(), vb = b.to_vector_f64();
  for (size_t i = 0; i < va.size(); ++i)
    ASSERT_NEAR(va[i], vb[i], tol * (1 + std::abs(vb[i]))) << what << " element " << i;
}

// Runs f in f32 and in f64 (inputs converted) and compares outputs and input gradients.
void expect_f32_matches_f64(const std::vector<Tensor>& in32,
                            const std::function<Tensor(const std::vector<Tensor>&)>& f, double tol,
                            const std::string& what) {
  std::vector<Tensor> a, b;
  for (const Tensor& t : in32) {
    a.push_back(t.clone().requires_grad_());
    b.push_back(t.to(DType::f64).requires_grad_());
  }
  Tensor ya = f(a), yb = f(b);
  expect_close(ya, yb, tol, what + " forward");
  Rng rng(5);
  Tensor w = Tensor::uniform(ya.shape(), rng, -1, 1, DType::f32);
  autograd::backward(ya, w);
  autograd::backward(yb, w.to(DType::f64));
  for (size_t i = 0; i < a.size(); ++i)
    expect_close(a[i].grad(), b[i].grad(), tol * 10, what + " grad of input " + std::to_string(i));
}

TEST(OpsF32, BroadcastBinaryMatchesElementLoop) {
  Rng rng(1);
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{4, 5, 33}, {33}}, {{4, 5, 33}, {5, 1}}, {{1, 33}, {7, 1}}, {{3, 1, 5}, {1, 4, 1}},
      {{2, 3, 4}, {2, 3, 4}}, {{6}, {}}};
  for (const auto& [sa, sb] : cases) {
    Tensor a = rand32(rng, sa), b = rand32(rng, sb, 0.5, 2);
    const Shape out = broadcast_shapes(sa, sb, "test");
    for (int op = 0; op < 4; ++op) {
      Tensor y = op == 0 ? add(a, b) : op == 1 ? sub(a, b) : op == 2 ? mul(a, b) : div(a, b);
      ASSERT_EQ(y.shape(), out);
      // Element loop through at() with broadcast indices.
      const auto yv = y.to_vector();
      std::vector<int64_t> idx(out.size(), 0);
      for (int64_t i = 0; i < out.numel(); ++i) {
        int64_t rem = i;
        for (int d = out.size() - 1; d >= 0; --d) {
          idx[d] = rem % out[d];
          rem /= out[d];
        }
        auto pick = [&](const Tensor& t) {
          int64_t off = 0;
          const int pad = out.size() - t.ndim();
          for (int d = 0; d < t.ndim(); ++d)
            off += (t.shape()[d] == 1 ? 0 : idx[d + pad]) * t.strides()[d];
          return static_cast<double>(t.data<float>()[off]);
        };
        const double x = pick(a), z = pick(b);
        const double want = op == 0 ? x + z : op == 1 ? x - z : op == 2 ? x * z : x / z;
        ASSERT_NEAR(yv[i], want, 1e-6 * (1 + std::abs(want))) << sa.str() << " op " << op << " at " << i;
      }
    }
  }
}

TEST(OpsF32, ReduceToEveryPatternMatchesF64) {
  Rng rng(2);
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{4, 5, 6}, {6}},       {{4, 5, 6}, {4, 1, 1}}, {{4, 5, 6}, {1, 5, 1}}, {{4, 5, 6}, {4, 1, 6}},
      {{4, 5, 6}, {5, 6}},    {{4, 5, 6}, {1}},       {{1, 4, 6}, {4, 6}},    {{2000, 37}, {37}},
      {{3, 5000}, {3, 1}},    {{3, 700, 9}, {3, 1, 9}}, {{700, 3, 9}, {3, 1}}, {{5, 1, 1}, {1, 1}}};
  for (const auto& [from, to] : cases) {
    Tensor g = rand32(rng, from);
    Tensor r32 = reduce_to(g, to), r64 = reduce_to(g.to(DType::f64), to);
    ASSERT_EQ(r32.shape(), to);
    // Naive f64 reference.
    Tensor naive = Tensor::zeros(to, DType::f64);
    const auto gv = g.to_vector_f64();
    const int pad = from.size() - to.size();
    const Shape ts = contiguous_strides(to);
    for (int64_t i = 0; i < from.numel(); ++i) {
      int64_t rem = i, off = 0;
      for (int d = from.size() - 1; d >= 0; --d) {
        const int64_t id = rem % from[d];
        rem /= from[d];
        if (d >= pad && to[d - pad] != 1) off += id * ts[d - pad];
      }
      naive.data<double>()[off] += gv[i];
    }
    expect_close(r64, naive, 1e-12, "reduce_to f64 " + from.str() + "->" + to.str());
    expect_close(r32, naive, 1e-5, "reduce_to f32 " + from.str() + "->" + to.str());
  }
}

TEST(OpsF32, SoftmaxFamilyAndNormsMatchF64OnEveryIsa) {
  const double inf = std::numeric_limits<double>::infinity();
  Rng rng(3);
  Tensor x = rand32(rng, {3, 4, 37}, -3, 3);
  Tensor mask = Tensor::zeros({4, 37});
  for (int j = 20; j < 37; ++j) mask.data<float>()[j] = -inf;  // row 0 partly masked
  for (int j = 0; j < 37; ++j) mask.data<float>()[2 * 37 + j] = -inf;  // row 2 fully masked
  Tensor gamma = rand32(rng, {37}, 0.5, 1.5), beta = rand32(rng, {37});
  const kernels::Isa saved = kernels::active_isa();
  for (kernels::Isa isa : kernels::supported_isas()) {
    kernels::set_active_isa(isa);
    const std::string at = kernels::isa_name(isa);
    expect_f32_matches_f64({x}, [&](const auto& in) { return softmax(in[0], mask.to(in[0].dtype())); }, 1e-5,
                           "softmax " + at);
    expect_f32_matches_f64({x}, [&](const auto& in) {
      return masked_fill(log_softmax(in[0], mask.to(in[0].dtype())), mask.to(in[0].dtype()), 0.0);
    }, 1e-5, "log_softmax " + at);
    expect_f32_matches_f64({x, gamma, beta}, [](const auto& in) { return layer_norm(in[0], in[1], in[2]); },
                           1e-5, "layer_norm " + at);
    expect_f32_matches_f64({x, gamma}, [](const auto& in) { return rms_norm(in[0], in[1]); }, 1e-5,
                           "rms_norm " + at);
    const std::vector<int64_t> t = {0, 36, 5, -100, 7, 7, 1, 2, 3, -100, 30, 11};
    expect_f32_matches_f64({x}, [&](const auto& in) { return cross_entropy(in[0], t, -100, 0.1); }, 1e-5,
                           "cross_entropy " + at);
  }
  kernels::set_active_isa(saved);
}

// exp, tanh, sigmoid and tanh-GELU: SIMD forward (and GELU's SIMD backward) against float64, on
// a non-contiguous input (a transposed view) so the fast paths' contiguous copies are exercised.
TEST(OpsF32, ElementwiseActivationsMatchF64OnEveryIsa) {
  Rng rng(4);
  Tensor x = rand32(rng, {37, 40}, -6, 6);
  const kernels::Isa saved = kernels::active_isa();
  for (kernels::Isa isa : kernels::supported_isas()) {
    kernels::set_active_isa(isa);
    const std::string at = kernels::isa_name(isa);
    expect_f32_matches_f64({x}, [](const auto& in) { return exp(transpose(in[0], 0, 1)); }, 1e-6, "exp " + at);
    expect_f32_matches_f64({x}, [](const auto& in) { return tanh(transpose(in[0], 0, 1)); }, 1e-6, "tanh " + at);
    expect_f32_matches_f64({x}, [](const auto& in) { return sigmoid(transpose(in[0], 0, 1)); }, 1e-6,
                           "sigmoid " + at);
    expect_f32_matches_f64({x}, [](const auto& in) { return gelu_tanh(transpose(in[0], 0, 1)); }, 1e-6,
                           "gelu_tanh " + at);
  }
  kernels::set_active_isa(saved);
}

TEST(OpsF32, SoftmaxFullyMaskedRowIsZeroWithZeroGradient) {
  Tensor x = Tensor::zeros({2, 5}).requires_grad_();
  Tensor mask = Tensor::full({2, 5}, -std::numeric_limits<double>::infinity());
  mask.data<float>()[0] = 0;  // row 0 keeps one key
  Tensor y = softmax(x, mask);
  EXPECT_EQ(y.at({0, 0}), 1.0);
  for (int j = 0; j < 5; ++j) EXPECT_EQ(y.at({1, j}), 0.0);
  autograd::backward(sum(y));
  for (float v : x.grad().to_vector()) EXPECT_FALSE(std::isnan(v));
}

TEST(OpsF32, CrossEntropyValuesByHand) {
  // logits [2, 3]; row 0 target 2, row 1 ignored.
  Tensor x = Tensor::from({1.0f, 2.0f, 3.0f, 5.0f, -1.0f, 0.0f}, {2, 3}).requires_grad_();
  const double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  Tensor l = cross_entropy(x, {2, -100});
  EXPECT_NEAR(l.item(), lse - 3.0, 1e-6);
  // Smoothing 0.3: (1 - 0.3) (lse - x_t) + 0.3 (lse - mean x).
  EXPECT_NEAR(cross_entropy(x, {2, -100}, -100, 0.3).item(), 0.7 * (lse - 3.0) + 0.3 * (lse - 2.0), 1e-6);
  autograd::backward(l);
  EXPECT_NEAR(x.grad().at({0, 0}), std::exp(1.0 - lse), 1e-6);
  EXPECT_NEAR(x.grad().at({0, 2}), std::exp(3.0 - lse) - 1.0, 1e-6);
  for (int j = 0; j < 3; ++j) EXPECT_EQ(x.grad().at({1, j}), 0.0);  // ignored row
  // Every row ignored: a zero loss (not 0/0) and a zero gradient.
  Tensor x2 = Tensor::ones({2, 3}).requires_grad_();
  Tensor l2 = cross_entropy(x2, {-100, -100});
  EXPECT_EQ(l2.item(), 0.0);
  autograd::backward(l2);
  for (float v : x2.grad().to_vector()) EXPECT_EQ(v, 0.0f);
}

TEST(OpsF32, Conv2dMatchesDirectConvolution) {
  Rng rng(4);
  for (auto [stride, pad] : {std::pair{1, 0}, {2, 1}, {3, 2}}) {
    Tensor x = rand32(rng, {3, 4, 11, 9}), w = rand32(rng, {5, 4, 3, 4}), b = rand32(rng, {5});
    Tensor y = conv2d(x, w, b, stride, pad);
    const int64_t Ho = (11 + 2 * pad - 3) / stride + 1, Wo = (9 + 2 * pad - 4) / stride + 1;
    ASSERT_EQ(y.shape(), (Shape{3, 5, Ho, Wo}));
    for (int64_t n = 0; n < 3; ++n)
      for (int64_t co = 0; co < 5; ++co)
        for (int64_t oh = 0; oh < Ho; ++oh)
          for (int64_t ow = 0; ow < Wo; ++ow) {
            double s = b.at({co});
            for (int64_t ci = 0; ci < 4; ++ci)
              for (int64_t kh = 0; kh < 3; ++kh)
                for (int64_t kw = 0; kw < 4; ++kw) {
                  const int64_t ih = oh * stride - pad + kh, iw = ow * stride - pad + kw;
                  if (ih >= 0 && ih < 11 && iw >= 0 && iw < 9) s += x.at({n, ci, ih, iw}) * w.at({co, ci, kh, kw});
                }
            ASSERT_NEAR(y.at({n, co, oh, ow}), s, 1e-5) << "stride " << stride << " pad " << pad;
          }
    expect_f32_matches_f64({x, w, b}, [&](const auto& in) { return conv2d(in[0], in[1], in[2], stride, pad); },
                           1e-5, "conv2d");
  }
}

// An item whose im2col buffer exceeds the 1 MB budget runs in bands of output rows: results and
// gradients must not depend on where the bands fall (f32 runs 2 bands of 27 and 23 rows per item,
// f64, twice the bytes, 4 bands of 13 rows or fewer), and col2im must sum across band edges.
TEST(OpsF32, Conv2dBandsMatchF64) {
  Rng rng(6);
  Tensor x = rand32(rng, {3, 16, 50, 66}), w = rand32(rng, {4, 16, 3, 3}), b = rand32(rng, {4});
  expect_f32_matches_f64({x, w, b}, [&](const auto& in) { return relu(conv2d(in[0], in[1], in[2], 1, 1)); },
                         1e-4, "conv2d large");
}

// With at least as many images as threads, each thread convolves a share of whole images and sums
// its own dW (added up in share order). 2 and 3 threads over 5 images (shares of 2/3 and 1/2/2),
// small images (several to a unit) and large ones (bands of rows): the same values and gradients
// as one thread, bit-identical from run to run, and f32 still matching f64.
TEST(OpsF32, Conv2dSharesOfImagesAcrossThreads) {
  Rng rng(8);
  for (const Shape& xs : {Shape{5, 6, 9, 11}, Shape{5, 16, 50, 40}}) {
    Tensor x = rand32(rng, xs), w = rand32(rng, {4, xs[1], 3, 3}), b = rand32(rng, {4});
    auto run = [&] {
      std::vector<Tensor> in = {x.clone().requires_grad_(), w.clone().requires_grad_(), b.clone().requires_grad_()};
      Tensor y = relu(conv2d(in[0], in[1], in[2], 1, 1));
      autograd::backward(sum(mul(y, y)));
      std::vector<Tensor> out = {y};
      for (const Tensor& t : in) out.push_back(t.grad());
      return out;
    };
    set_num_threads(1);
    const auto one = run();
    for (int threads : {2, 3}) {
      set_num_threads(threads);
      const auto first = run(), again = run();
      for (size_t i = 0; i < one.size(); ++i) {
        const std::string what = xs.str() + " threads " + std::to_string(threads) + " output " + std::to_string(i);
        expect_close(first[i], one[i], 1e-5, what);
        ASSERT_EQ(first[i].to_vector(), again[i].to_vector()) << what;
      }
      expect_f32_matches_f64({x, w, b}, [&](const auto& in) { return relu(conv2d(in[0], in[1], in[2], 1, 1)); },
                             1e-4, "conv2d " + xs.str() + " threads " + std::to_string(threads));
    }
    set_num_threads(0);
  }
}

// The Winograd path in float32 on every ISA this CPU runs (its tile transforms have a table per
// ISA): against float64 on small images grouped several to a unit, on a tall image cut into bands
// of tile rows (summed across band edges in dx), and with 2 threads taking shares of the images.
TEST(OpsF32, Conv2dWinogradEveryIsaMatchesF64) {
  Rng rng(9);
  const kernels::Isa before = kernels::active_isa();
  for (const Shape& xs : {Shape{5, 8, 17, 19}, Shape{2, 16, 300, 40}}) {
    Tensor x = rand32(rng, xs), w = rand32(rng, {8, xs[1], 3, 3}), b = rand32(rng, {8});
    for (kernels::Isa isa : kernels::supported_isas())
      for (int threads : {1, 2}) {
        kernels::set_active_isa(isa);
        set_num_threads(threads);
        expect_f32_matches_f64({x, w, b}, [&](const auto& in) { return relu(conv2d(in[0], in[1], in[2], 1, 1)); },
                               1e-4, "winograd " + xs.str() + " " + kernels::isa_name(isa) + " threads " +
                                         std::to_string(threads));
      }
  }
  kernels::set_active_isa(before);
  set_num_threads(0);
}

TEST(OpsF32, MaxPoolNaNWinsAndReluGradientIsMasked) {
  Tensor x = Tensor::from({1, std::nanf(""), 2, 3}, {1, 1, 2, 2}).requires_grad_();
  Tensor m = max_pool2d(x, 2, 2);
  EXPECT_TRUE(std::isnan(m.to_vector()[0]));
  autograd::backward(sum(m));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{0, 1, 0, 0}));
  Tensor r = Tensor::from({-1, 0, 2, -3, 5}, {5}).requires_grad_();
  autograd::backward(sum(scale(relu(r), 2)));
  EXPECT_EQ(r.grad().to_vector(), (std::vector<float>{0, 0, 2, 0, 2}));
}

// 2x2 stride-2 max pooling (its own loop) against the definition: odd sizes (the last row and
// column dropped), values on a coarse grid (ties: the first maximum takes the gradient), NaNs.
TEST(OpsF32, MaxPool2x2MatchesDefinitionWithTiesAndNaN) {
  Rng rng(12);
  Tensor x = Tensor::empty({2, 3, 7, 9});
  float* px = x.data<float>();
  for (int64_t i = 0; i < x.numel(); ++i) px[i] = static_cast<float>(rng.below(5)) - 2;
  px[10] = px[100] = px[101] = std::nanf("");
  x.requires_grad_();
  Tensor y = max_pool2d(x, 2, 2);
  ASSERT_EQ(y.shape(), (Shape{2, 3, 3, 4}));
  Rng wr(3);
  Tensor w = rand32(wr, y.shape());
  autograd::backward(y, w);
  std::vector<float> dx(x.numel(), 0.0f);
  for (int64_t p = 0; p < 6; ++p)
    for (int64_t oh = 0; oh < 3; ++oh)
      for (int64_t ow = 0; ow < 4; ++ow) {
        int64_t best = -1;
        for (int64_t i = 0; i < 2; ++i)
          for (int64_t j = 0; j < 2; ++j) {
            const int64_t at = p * 63 + (2 * oh + i) * 9 + 2 * ow + j;
            const bool nan_best = best >= 0 && std::isnan(px[best]);
            if (best < 0 || (!nan_best && (std::isnan(px[at]) || px[at] > px[best]))) best = at;
          }
        const int64_t o = (p * 3 + oh) * 4 + ow;
        const float got = y.data<float>()[o];
        if (std::isnan(px[best])) EXPECT_TRUE(std::isnan(got)) << o;
        else EXPECT_EQ(got, px[best]) << o;
        dx[best] += w.data<float>()[o];
      }
  EXPECT_EQ(x.grad().to_vector(), dx);
}

TEST(OpsF32, PoolingByHand) {
  Tensor x = Tensor::from({1, 5, 2, 0, 3, 4, 9, 9, 7, 8, 6, 1, 2, 2, 0, 3}, {1, 1, 4, 4}).requires_grad_();
  Tensor m = max_pool2d(x, 2, 2);
  EXPECT_EQ(m.to_vector(), (std::vector<float>{5, 9, 8, 6}));
  autograd::backward(sum(m));
  // The first maximum of the tied window {2, 0, 9, 9} gets the gradient.
  EXPECT_EQ(x.grad().to_vector(),
            (std::vector<float>{0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0}));
  EXPECT_EQ(avg_pool2d(x, 2, 2).to_vector(), (std::vector<float>{3.25f, 5, 4.75f, 2.5f}));
}

TEST(OpsF32, DropoutIsSeededAndScaled) {
  Tensor x = Tensor::ones({100, 100});
  Rng r1(9), r2(9);
  Tensor a = dropout(x, 0.25, true, r1), b = dropout(x, 0.25, true, r2);
  EXPECT_EQ(a.to_vector(), b.to_vector());
  int64_t kept = 0;
  for (float v : a.to_vector()) {
    ASSERT_TRUE(v == 0.0f || std::abs(v - 1.0f / 0.75f) < 1e-6);
    kept += v != 0.0f;
  }
  EXPECT_NEAR(kept / 1e4, 0.75, 0.02);
  Rng r3(9);
  EXPECT_EQ(dropout(x, 0.25, false, r3).to_vector(), x.to_vector());  // eval: identity
  for (float v : dropout(x, 1.0, true, r3).to_vector()) EXPECT_EQ(v, 0.0f);
}

TEST(OpsF32, ViewsAndJoins) {
  Tensor x = Tensor::arange(12).requires_grad_();
  Tensor x2 = reshape(x, {3, 4});
  EXPECT_EQ(slice(x2, 1, 1, 4, 2).to_vector(), (std::vector<float>{1, 3, 5, 7, 9, 11}));
  EXPECT_EQ(slice(x2, 0, -1, 10).to_vector(), (std::vector<float>{8, 9, 10, 11}));
  EXPECT_EQ(slice(x2, 0, 2, 1).numel(), 0);
  EXPECT_EQ(concat({slice(x2, 1, 0, 1), slice(x2, 1, 3, 4)}, 1).to_vector(),
            (std::vector<float>{0, 3, 4, 7, 8, 11}));
  Tensor s = stack({x2, x2}, 1);
  EXPECT_EQ(s.shape(), (Shape{3, 2, 4}));
  EXPECT_EQ(s.at({2, 1, 3}), 11.0);
  EXPECT_EQ(index_select(x2, 0, {2, 2, 0}).to_vector(),
            (std::vector<float>{8, 9, 10, 11, 8, 9, 10, 11, 0, 1, 2, 3}));
  Tensor e = embedding(x2, {1, 1}, Shape{2});
  autograd::backward(sum(e));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{0, 0, 0, 0, 2, 2, 2, 2, 0, 0, 0, 0}));
  EXPECT_EQ(max(x2, 0).to_vector(), (std::vector<float>{8, 9, 10, 11}));
  EXPECT_EQ(mean(x2, {1}).to_vector(), (std::vector<float>{1.5f, 5.5f, 9.5f}));
  Tensor w = where(Tensor::from({1.0f, 0.0f, 1.0f}, {3, 1}), x2, Tensor::full({4}, -1));
  EXPECT_EQ(w.at({1, 2}), -1.0);
  EXPECT_EQ(w.at({2, 2}), 10.0);
  EXPECT_EQ(masked_fill(x2, Tensor::from({0.0f, 1.0f, 0.0f, 0.0f}, {4}), 7).at({2, 1}), 7.0);
}

TEST(OpsF32, MaxPropagatesNaN) {
  Tensor x = Tensor::from({1.0f, std::nanf(""), 3.0f}, {1, 3});
  EXPECT_TRUE(std::isnan(max(x, 1).item()));
}

TEST(OpsF32, BitIdenticalAcrossRunsForAFixedThreadCount) {
  set_num_threads(2);
  auto run = [] {
    Rng rng(11);
    Tensor x = rand32(rng, {64, 300}).requires_grad_();
    Tensor g = rand32(rng, {300}).requires_grad_(), b = rand32(rng, {300}).requires_grad_();
    std::vector<int64_t> t(64);
    for (int i = 0; i < 64; ++i) t[i] = (i * 37) % 300;
    Tensor l = add(cross_entropy(layer_norm(x, g, b), t), mean(sum(mul(x, g), {0})));
    autograd::backward(l);
    std::vector<float> out = {static_cast<float>(l.item())};
    for (const Tensor* p : {&x, &g, &b})
      for (float v : p->grad().to_vector()) out.push_back(v);
    return out;
  };
  const auto a = run(), b = run();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << i;
  set_num_threads(0);
}

}  // namespace
}  // namespace attnscope
