// Scaled dot-product attention: the properties the papers state (rows sum to 1 over valid keys,
// masked and padded keys get exactly 0), the fused kernel against the reference path (forward,
// backward, recording in every keep mode), grouped-query heads, and bad input.
#include <gtest/gtest.h>

#include <cmath>

#include "attnscope/attention/alibi.h"
#include "attnscope/attention/dot_product.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {
namespace {

void expect_close(const Tensor& a, const Tensor& b, double tol, const char* what) {
  ASSERT_EQ(a.shape(), b.shape()) << what;
  const auto x = a.to_vector_f64(), y = b.to_vector_f64();
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(x[i] - y[i]));
  EXPECT_LT(worst, tol) << what;
}

TEST(DotProduct, RowsSumToOneMaskedKeysExactlyZero) {
  Rng rng(3);
  const int64_t B = 2, NH = 2, T = 4, N = 6, HS = 5;
  Tensor q = Tensor::randn({B, NH, T, HS}, rng, 1, DType::f64), k = Tensor::randn({B, NH, N, HS}, rng, 1, DType::f64),
         v = Tensor::randn({B, NH, N, HS}, rng, 1, DType::f64);
  for (Normalizer norm : {Normalizer::softmax, Normalizer::sparsemax, Normalizer::entmax15}) {
    DotProductOptions o;
    o.mask.causal = true;
    o.mask.key_lengths = {6, 3};
    o.normalizer = norm;
    AttentionResult r = dot_product_attention(q, k, v, o);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < NH; ++h)
        for (int64_t i = 0; i < T; ++i) {
          double sum = 0;
          for (int64_t j = 0; j < N; ++j) {
            const double w = r.weights.at({b, h, i, j});
            if (!o.mask.visible(b, i, j, T, N)) { EXPECT_EQ(w, 0.0) << normalizer_name(norm); }
            sum += w;
          }
          EXPECT_NEAR(sum, 1.0, 1e-12) << normalizer_name(norm);
        }
  }
}

TEST(DotProduct, FusedMatchesReferenceForwardBackward) {
  Rng rng(5);
  const int64_t B = 2, NH = 4, NKV = 2, T = 7, N = 9, HS = 16;
  struct Variant { bool causal; int64_t window; std::vector<int32_t> lengths; bool alibi; bool bias; double temp; };
  for (const Variant& var : {Variant{false, 0, {}, false, false, 1}, Variant{true, 0, {9, 5}, false, false, 1},
                             Variant{true, 3, {}, true, false, 0.5}, Variant{false, 0, {7, 9}, false, true, 2}}) {
    Tensor q = Tensor::randn({B, NH, T, HS}, rng), k = Tensor::randn({B, NKV, N, HS}, rng), v = Tensor::randn({B, NKV, N, HS}, rng);
    Tensor w = Tensor::randn({B, NH, T, HS}, rng);  // loss weights
    DotProductOptions o;
    o.mask.causal = var.causal;
    o.mask.window = var.window;
    o.mask.key_lengths = var.lengths;
    if (var.alibi) o.alibi_slopes = alibi_slopes(NH);
    if (var.bias) o.bias = Tensor::randn({1, NH, T, N}, rng);
    o.temperature = var.temp;
    std::vector<Tensor> grads[2];
    Tensor outs[2];
    for (int path = 0; path < 2; ++path) {
      Tensor qq = q.clone().requires_grad_(), kk = k.clone().requires_grad_(), vv = v.clone().requires_grad_();
      o.backend = path == 0 ? Backend::fused : Backend::reference;
      outs[path] = dot_product_attention(qq, kk, vv, o).context;
      autograd::backward(ops::sum(ops::mul(outs[path], w)));
      grads[path] = {qq.grad(), kk.grad(), vv.grad()};
    }
    expect_close(outs[0], outs[1], 1e-4, "context");
    expect_close(grads[0][0], grads[1][0], 1e-3, "dq");
    expect_close(grads[0][1], grads[1][1], 1e-3, "dk");
    expect_close(grads[0][2], grads[1][2], 1e-3, "dv");
  }
}

TEST(DotProduct, FusedRecordingMatchesReferenceInEveryKeepMode) {
  Rng rng(9);
  Tensor q = Tensor::randn({1, 2, 5, 8}, rng), k = Tensor::randn({1, 2, 6, 8}, rng), v = Tensor::randn({1, 2, 6, 8}, rng);
  DotProductOptions o;
  o.mask.causal = true;
  for (Keep keep : {Keep::dense(), Keep::topk(3), Keep::stats()}) {
    Recorder rf(keep), rr(keep);
    o.backend = Backend::fused;
    dot_product_attention(q, k, v, o, &rf, {.name = "L0"});
    o.backend = Backend::reference;
    dot_product_attention(q, k, v, o, &rr, {.name = "L0"});
    ASSERT_EQ(rf.size(), 1u);
    const Record &a = rf.records()[0], &b = rr.records()[0];
    EXPECT_EQ(a.site.mechanism, "scaled_dot");
    ASSERT_EQ(a.dense.size(), b.dense.size());
    for (size_t i = 0; i < a.dense.size(); ++i) EXPECT_NEAR(a.dense[i], b.dense[i], 1e-5);
    ASSERT_EQ(a.topk_index, b.topk_index) << keep.str();
    for (size_t i = 0; i < a.max_weight.size(); ++i) {
      EXPECT_NEAR(a.max_weight[i], b.max_weight[i], 1e-5);
      EXPECT_EQ(a.argmax[i], b.argmax[i]);
      if (keep.mode != io::TraceKeep::topk) { EXPECT_NEAR(a.entropy[i], b.entropy[i], 1e-4); }
    }
    EXPECT_EQ(a.lse.size(), 10u);  // the kernel's lse is kept
  }
}

TEST(DotProduct, GroupedQueryEqualsRepeatedHeads) {
  Rng rng(2);
  Tensor q = Tensor::randn({1, 6, 3, 4}, rng, 1, DType::f64), k = Tensor::randn({1, 2, 5, 4}, rng, 1, DType::f64),
         v = Tensor::randn({1, 2, 5, 4}, rng, 1, DType::f64);
  AttentionResult g = dot_product_attention(q, k, v, {});
  AttentionResult full = dot_product_attention(q, repeat_kv(k, 6), repeat_kv(v, 6), {});
  expect_close(g.context, full.context, 1e-12, "gqa");
  // Head 4 reads kv head 4 / 3 = 1.
  expect_close(ops::slice(g.weights, 1, 4, 5), ops::slice(full.weights, 1, 4, 5), 1e-12, "head 4");
}

TEST(DotProduct, BadInputNamesMechanismAndShapes) {
  Tensor q = Tensor::zeros({1, 2, 3, 4}), k = Tensor::zeros({1, 2, 5, 4}), v = Tensor::zeros({1, 2, 5, 4});
  auto expect_msg = [](auto fn, const char* what) {
    try {
      fn();
      ADD_FAILURE() << "no error for " << what;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("scaled_dot"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("["), std::string::npos) << e.what();
    }
  };
  expect_msg([&] { dot_product_attention(q, Tensor::zeros({1, 2, 5, 3}), v, {}); }, "head size mismatch");
  expect_msg([&] { dot_product_attention(q, Tensor::zeros({1, 3, 5, 4}), Tensor::zeros({1, 3, 5, 4}), {}); }, "NH % NKV");
  expect_msg([&] {
    DotProductOptions o;
    o.mask.additive = Tensor::zeros({3, 4});
    dot_product_attention(q, k, v, o);
  }, "mask of the wrong size");
  expect_msg([&] {
    DotProductOptions o;
    o.mask.key_lengths = {9};
    dot_product_attention(q, k, v, o);
  }, "key length > N");
  Tensor bad = Tensor::zeros({1, 2, 3, 4});
  bad.data<float>()[5] = NAN;
  EXPECT_THROW(dot_product_attention(bad, k, v, {}), ValueError);
  DotProductOptions ref;
  ref.backend = Backend::reference;
  EXPECT_THROW(dot_product_attention(bad, k, v, ref), ValueError);
  DotProductOptions hot;
  hot.temperature = 0;
  EXPECT_THROW(dot_product_attention(q, k, v, hot), ConfigError);
}

}  // namespace
}  // namespace attnscope::attention
