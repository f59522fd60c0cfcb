// Module naming (stable dotted names, PyTorch's recurrent names), registration errors,
// zero_grad, train/eval, and the forward contracts of the basic layers.
#include <gtest/gtest.h>

#include <cmath>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/nn/conv2d.h"
#include "attnscope/nn/dropout.h"
#include "attnscope/nn/embedding.h"
#include "attnscope/nn/linear.h"
#include "attnscope/nn/norm.h"
#include "attnscope/nn/recurrent.h"

namespace attnscope::nn {
namespace {

struct Block : Module {
  std::shared_ptr<Linear> q_proj;
  std::shared_ptr<LayerNorm> norm;
  Block(Rng& rng) {
    q_proj = register_module("q_proj", std::make_shared<Linear>(4, 4, rng));
    norm = register_module("norm", std::make_shared<LayerNorm>(4));
  }
  std::string type_name() const override { return "Block"; }
};

struct Encoder : Module {
  std::shared_ptr<ModuleList<Block>> layers;
  std::shared_ptr<Dropout> drop;
  Encoder(Rng& rng) {
    layers = register_module("layers", std::make_shared<ModuleList<Block>>());
    layers->push_back(std::make_shared<Block>(rng));
    layers->push_back(std::make_shared<Block>(rng));
    drop = register_module("drop", std::make_shared<Dropout>(0.5, 3));
  }
  std::string type_name() const override { return "Encoder"; }
};

TEST(Module, HierarchicalNamesInRegistrationOrder) {
  Rng rng(1);
  Encoder enc(rng);
  std::vector<std::string> names;
  for (auto& [n, _] : enc.named_parameters()) names.push_back(n);
  const std::vector<std::string> want = {
      "layers.0.q_proj.weight", "layers.0.q_proj.bias", "layers.0.norm.weight", "layers.0.norm.bias",
      "layers.1.q_proj.weight", "layers.1.q_proj.bias", "layers.1.norm.weight", "layers.1.norm.bias"};
  EXPECT_EQ(names, want);
  EXPECT_EQ(enc.num_parameters(), 2 * (16 + 4 + 4 + 4));
  ASSERT_EQ(enc.named_rngs().size(), 1u);
  EXPECT_EQ(enc.named_rngs()[0].first, "drop.rng");
  for (const Tensor& p : enc.parameters()) EXPECT_TRUE(p.requires_grad());
}

TEST(Module, SameSeedSameInitialization) {
  Rng a(42), b(42), c(43);
  Linear la(5, 3, a), lb(5, 3, b), lc(5, 3, c);
  EXPECT_EQ(la.weight().to_vector(), lb.weight().to_vector());
  EXPECT_NE(la.weight().to_vector(), lc.weight().to_vector());
  for (float w : la.weight().to_vector()) EXPECT_LE(std::abs(w), 1.0 / std::sqrt(5.0));
}

struct BadModule : Module {
  std::string type_name() const override { return "Bad"; }
  void add(const std::string& name) { register_parameter(name, Tensor::zeros(Shape{1})); }
};

TEST(Module, BadOrDuplicateNamesAreConfigErrors) {
  BadModule m;
  m.add("w");
  EXPECT_THROW(m.add("w"), ConfigError);
  EXPECT_THROW(m.add("a.b"), ConfigError);
  EXPECT_THROW(m.add("a/b"), ConfigError);
  EXPECT_THROW(m.add(""), ConfigError);
}

TEST(Module, ZeroGradAndTrainEvalPropagate) {
  Rng rng(2);
  Encoder enc(rng);
  Tensor x = Tensor::randn(Shape{3, 4}, rng);
  autograd::backward(ops::sum(enc.layers->operator[](1).q_proj->forward(x)));
  const Tensor& g = enc.layers->operator[](1).q_proj->weight().grad();
  ASSERT_TRUE(g.defined());
  EXPECT_NE(g.to_vector()[0], 0.0f);
  enc.zero_grad();
  for (float v : g.to_vector()) EXPECT_EQ(v, 0.0f);

  enc.eval();
  EXPECT_FALSE(enc.drop->training());
  EXPECT_EQ(enc.drop->forward(x).to_vector(), x.to_vector());  // identity in eval
  enc.train();
  Tensor y = enc.drop->forward(Tensor::ones(Shape{1000}));
  int zeros = 0;
  for (float v : y.to_vector()) {
    EXPECT_TRUE(v == 0.0f || v == 2.0f);
    zeros += v == 0.0f;
  }
  EXPECT_GT(zeros, 400);
  EXPECT_LT(zeros, 600);
}

TEST(Layers, LinearComputesXWtPlusB) {
  Rng rng(3);
  Linear lin(3, 2, rng);
  Tensor x = Tensor::from({1.f, 2.f, 3.f, -1.f, 0.5f, 2.f}, Shape{2, 3});
  Tensor y = lin.forward(x);
  ASSERT_EQ(y.shape(), (Shape{2, 2}));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t o = 0; o < 2; ++o) {
      double ref = lin.bias().at({o});
      for (int64_t k = 0; k < 3; ++k) ref += x.at({i, k}) * lin.weight().at({o, k});
      EXPECT_NEAR(y.at({i, o}), ref, 1e-6);
    }
  EXPECT_EQ(lin.forward(Tensor::zeros(Shape{2, 5, 3})).shape(), (Shape{2, 5, 2}));
  try {
    lin.forward(Tensor::zeros(Shape{2, 4}));
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("Linear"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("[2, 4]"), std::string::npos);
  }
  Linear nobias(3, 2, rng, false);
  EXPECT_EQ(nobias.named_parameters().size(), 1u);
}

TEST(Layers, NormsEmbeddingConvShapes) {
  Rng rng(4);
  Tensor x = Tensor::randn(Shape{2, 3, 8}, rng, 3.0);
  Tensor y = LayerNorm(8).forward(x);
  for (int64_t r = 0; r < 6; ++r) {
    double m = 0, v = 0;
    for (int64_t j = 0; j < 8; ++j) m += y.at({r / 3, r % 3, j}) / 8;
    for (int64_t j = 0; j < 8; ++j) v += std::pow(y.at({r / 3, r % 3, j}) - m, 2) / 8;
    EXPECT_NEAR(m, 0, 1e-5);
    EXPECT_NEAR(v, 1, 1e-3);
  }
  Tensor z = RMSNorm(8).forward(x);
  double ms = 0;
  for (int64_t j = 0; j < 8; ++j) ms += std::pow(z.at({0, 0, j}), 2) / 8;
  EXPECT_NEAR(ms, 1, 1e-3);
  EXPECT_THROW(LayerNorm(8).forward(Tensor::zeros(Shape{2, 7})), ShapeError);

  Embedding emb(10, 4, rng);
  Tensor e = emb.forward({1, 2, 3, 9, 0, 1}, Shape{2, 3});
  EXPECT_EQ(e.shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(e.at({1, 0, 2}), emb.weight().at({9, 2}));
  EXPECT_THROW(emb.forward({10}, Shape{1}), ValueError);

  Conv2d conv(3, 5, 3, rng, 2, 1);
  EXPECT_EQ(conv.forward(Tensor::zeros(Shape{2, 3, 9, 7})).shape(), (Shape{2, 5, 5, 4}));
  EXPECT_THROW(conv.forward(Tensor::zeros(Shape{2, 4, 9, 7})), ShapeError);
  EXPECT_THROW(Conv2d(3, 5, 0, rng), ConfigError);
}

TEST(Recurrent, PyTorchParameterNamesAndShapes) {
  Rng rng(5);
  LSTM lstm(RecurrentOptions{6, 4, 2, true}, rng);
  std::vector<std::pair<std::string, Shape>> got;
  for (auto& [n, t] : lstm.named_parameters()) got.emplace_back(n, t.shape());
  ASSERT_EQ(got.size(), 16u);
  EXPECT_EQ(got[0].first, "weight_ih_l0");
  EXPECT_EQ(got[0].second, (Shape{16, 6}));
  EXPECT_EQ(got[4].first, "weight_ih_l0_reverse");
  EXPECT_EQ(got[8].first, "weight_ih_l1");
  EXPECT_EQ(got[8].second, (Shape{16, 8}));  // layer 1 reads both directions
  EXPECT_EQ(got[15].first, "bias_hh_l1_reverse");
  GRU gru(RecurrentOptions{6, 4, 1, false}, rng);
  EXPECT_EQ(gru.named_parameters()[1].second.shape(), (Shape{12, 4}));
}

TEST(Recurrent, BidirectionalOutputsStatesAndMasks) {
  Rng rng(6);
  const int64_t B = 3, T = 5, C = 4, H = 3;
  for (bool lstm : {false, true}) {
    RecurrentOptions o{C, H, 2, true};
    std::unique_ptr<RecurrentBase> rnn;
    if (lstm) rnn = std::make_unique<LSTM>(o, rng); else rnn = std::make_unique<GRU>(o, rng);
    Tensor x = Tensor::randn(Shape{B, T, C}, rng);
    Tensor mask = lengths_to_mask({5, 3, 1}, T);
    RecurrentOutput out = rnn->forward(x, mask);
    ASSERT_EQ(out.output.shape(), (Shape{B, T, 2 * H}));
    ASSERT_EQ(out.h_n.shape(), (Shape{4, B, H}));
    EXPECT_EQ(out.c_n.defined(), lstm);
    const int64_t len[3] = {5, 3, 1};
    for (int64_t b = 0; b < B; ++b)
      for (int64_t j = 0; j < H; ++j) {
        // Last layer: forward final state = output at the last valid step, backward = at t = 0.
        EXPECT_EQ(out.h_n.at({2, b, j}), out.output.at({b, len[b] - 1, j}));
        EXPECT_EQ(out.h_n.at({3, b, j}), out.output.at({b, 0, H + j}));
        for (int64_t t = len[b]; t < T; ++t) {
          EXPECT_EQ(out.output.at({b, t, j}), 0.0f);
          EXPECT_EQ(out.output.at({b, t, H + j}), 0.0f);
        }
      }
    // Gradients reach every parameter.
    autograd::backward(ops::sum(out.output));
    for (auto& [n, p] : rnn->named_parameters()) EXPECT_TRUE(p.grad().defined()) << n;
    EXPECT_THROW(rnn->forward(x, Tensor::zeros(Shape{B, T + 1})), ShapeError);
    EXPECT_THROW(rnn->forward(Tensor::zeros(Shape{B, T, C + 1})), ShapeError);
  }
  EXPECT_THROW(lengths_to_mask({6}, 5), ValueError);
}

}  // namespace
}  // namespace attnscope::nn
