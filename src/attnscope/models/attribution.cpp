#include "attnscope/models/attribution.h"

#include <algorithm>
#include <cmath>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::models {

namespace {

// Backward of L from g, then the attribution's arrays.
Attribution collect(const Model& model, GradForward& g, const Tensor& L) {
  Attribution a;
  a.logprob = L.item();
  autograd::backward(L);
  const int64_t T = g.embeddings.size(0), C = g.embeddings.size(1);
  const std::vector<float> e = g.embeddings.to_vector(), de = g.embeddings.grad().to_vector();
  a.input_gradient.resize(T);
  for (int64_t t = 0; t < T; ++t) {
    double s = 0;
    for (int64_t c = 0; c < C; ++c) s += std::pow(static_cast<double>(e[t * C + c]) * de[t * C + c], 2);
    a.input_gradient[t] = std::sqrt(s);
  }
  for (size_t l = 0; l < g.attention.size(); ++l) {
    focus::AttentionGradient lg;
    lg.name = model.site_name(static_cast<int64_t>(l));
    lg.heads = g.attention[l].size(0);
    lg.tokens = T;
    lg.dim = g.head_values[l].size(2);
    lg.attention = g.attention[l].to_vector();
    // A probe no path reached has no grad: zeros.
    lg.grad = g.probes[l].grad().defined() ? g.probes[l].grad().to_vector() : std::vector<float>(lg.attention.size(), 0.0f);
    lg.head_values = g.head_values[l].to_vector();
    a.layers.push_back(std::move(lg));
  }
  return a;
}

}  // namespace

Attribution attribute(const Model& model, std::span<const int32_t> tokens, int64_t query, int32_t target) {
  const int64_t T = static_cast<int64_t>(tokens.size());
  if (query < 0 || query >= T)
    throw ConfigError("attribution: query position " + std::to_string(query) + " is outside the " + std::to_string(T) + " tokens");
  if (target >= model.config().vocab)
    throw ValueError("attribution: target token id " + std::to_string(target) + " is outside the vocabulary");
  GradForward g = model.grad_forward(tokens);
  if (target < 0) {
    const std::vector<float> row = ops::slice(g.logits, 0, query, query + 1).to_vector();
    target = static_cast<int32_t>(std::max_element(row.begin(), row.end()) - row.begin());
  }
  const Tensor lp = ops::log_softmax(ops::slice(g.logits, 0, query, query + 1));
  Attribution a = collect(model, g, ops::sum(ops::slice(lp, 1, target, target + 1)));
  a.query = query;
  a.target = target;
  return a;
}

Attribution attribute_text_loss(const Model& model, std::span<const int32_t> tokens) {
  const int64_t T = static_cast<int64_t>(tokens.size());
  if (T < 2) throw ValueError("attribution: the text loss needs at least 2 tokens");
  GradForward g = model.grad_forward(tokens);
  const std::vector<int64_t> next(tokens.begin() + 1, tokens.end());
  const Tensor loss = ops::cross_entropy(ops::slice(g.logits, 0, 0, T - 1), next);
  Attribution a = collect(model, g, loss);
  a.query = T - 1;
  a.target = -1;
  return a;
}

}  // namespace attnscope::models
