#include "attnscope/models/next_token.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "attnscope/core/error.h"

namespace attnscope::models {

io::TracePredictions next_token_predictions(const ModelOutput& out, std::span<const int32_t> targets, int64_t k,
                                            const data::Tokenizer& tok, const std::string& seq) {
  if (out.kind != ModelOutput::Kind::token_logits || out.rows != static_cast<int64_t>(targets.size()) || out.cols < 1)
    throw ShapeError("next_token_predictions: expected token logits [" + std::to_string(targets.size()) + ", V], got [" +
                     std::to_string(out.rows) + ", " + std::to_string(out.cols) + "]");
  const int64_t T = out.rows, V = out.cols;
  k = std::clamp<int64_t>(k, 1, V);
  io::TracePredictions p;
  p.seq = seq;
  p.k = k;
  p.labels.reserve(T * k);
  std::vector<int32_t> order(V);
  std::vector<double> prob(V);
  for (int64_t t = 0; t < T; ++t) {
    const float* row = out.values.data() + t * V;
    const double mx = *std::max_element(row, row + V);
    double sum = 0;
    for (int64_t v = 0; v < V; ++v) sum += prob[v] = std::exp(static_cast<double>(row[v]) - mx);
    for (auto& x : prob) x /= sum;
    std::iota(order.begin(), order.end(), 0);
    auto before = [&](int32_t a, int32_t b) { return prob[a] > prob[b] || (prob[a] == prob[b] && a < b); };
    std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
    for (int64_t j = 0; j < k; ++j) {
      p.index.push_back(order[j]);
      p.prob.push_back(static_cast<float>(prob[order[j]]));
      p.labels.push_back(order[j] < tok.vocab_size() ? tok.display(order[j]) : "#" + std::to_string(order[j]));
    }
    const int32_t target = targets[t];
    if (target < 0 || target >= V) {
      p.target_prob.push_back(0.f);
      p.target_rank.push_back(0);
      continue;
    }
    int32_t rank = 1;  // 1 + the tokens ranked before it (same order as the candidates)
    for (int32_t v = 0; v < V; ++v) rank += before(v, target) ? 1 : 0;
    p.target_prob.push_back(static_cast<float>(prob[target]));
    p.target_rank.push_back(rank);
  }
  return p;
}

}  // namespace attnscope::models
