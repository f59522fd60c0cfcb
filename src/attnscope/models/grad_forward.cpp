#include "attnscope/models/grad_forward.h"

#include <cmath>
#include <limits>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::models {

Tensor input_leaf(const Tensor& given, std::vector<float> computed, int64_t T, int64_t C) {
  Tensor e;
  if (given.defined()) {
    if (!(given.shape() == Shape{T, C}))
      throw ShapeError("grad_forward: embeddings " + given.str() + " for " + std::to_string(T) + " tokens of dim " + std::to_string(C));
    e = given.detach().to(DType::f32).clone();
  } else {
    e = Tensor::from(std::span<const float>(computed), Shape{T, C});
  }
  e.requires_grad_();
  return e;
}

Tensor linear_rows(const Tensor& x, const Tensor& w, const Tensor& b) {
  Tensor y = ops::matmul(x, ops::transpose(w, 0, 1));
  return b.defined() ? ops::add(y, b) : y;
}

Tensor probed_causal_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& wo, GradForward& g) {
  const int64_t NH = q.size(0), T = q.size(1), HS = q.size(2), NKV = k.size(0), C = wo.size(0);
  Tensor kh = k, vh = v;
  if (NKV != NH) {  // GQA: each kv head serves NH / NKV consecutive query heads
    std::vector<int64_t> idx(NH);
    for (int64_t h = 0; h < NH; ++h) idx[h] = h / (NH / NKV);
    kh = ops::index_select(k, 0, idx);
    vh = ops::index_select(v, 0, idx);
  }
  Tensor mask = Tensor::zeros(Shape{T, T});
  float* m = mask.data<float>();
  for (int64_t i = 0; i < T; ++i)
    for (int64_t j = i + 1; j < T; ++j) m[i * T + j] = -std::numeric_limits<float>::infinity();
  const Tensor scores = ops::scale(ops::matmul(q, ops::transpose(kh, 1, 2)), 1.0 / std::sqrt(static_cast<double>(HS)));
  const Tensor a = ops::softmax(scores, mask);
  Tensor probe = Tensor::zeros(Shape{NH, T, T});
  probe.requires_grad_();
  const Tensor o = ops::matmul(ops::add(a, probe), vh);  // [NH, T, HS]
  g.attention.push_back(a.detach());
  g.probes.push_back(probe);
  {
    // f^h(x_j) = v^h_j W_O^h: W_O [C, NH*HS] -> per head [HS, C].
    autograd::NoGrad ng;
    const Tensor wo_h = ops::contiguous(ops::permute(ops::reshape(wo, Shape{C, NH, HS}), {1, 2, 0}));
    g.head_values.push_back(ops::matmul(vh.detach(), wo_h));
  }
  return ops::reshape(ops::contiguous(ops::permute(o, {1, 0, 2})), Shape{T, NH * HS});
}

}  // namespace attnscope::models
