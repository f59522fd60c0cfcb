#include "attnscope/models/generate.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "attnscope/core/error.h"
#include "attnscope/core/rng.h"

namespace attnscope::models {

Perplexity perplexity(Model& model, std::span<const int32_t> ids, attention::Recorder* capture) {
  if (!model.is_decoder()) throw ConfigError("perplexity needs a decoder (language model)");
  if (ids.size() < 2) throw ValueError("perplexity needs at least 2 tokens");
  model.reset();
  const ModelOutput out = model.forward(ids, capture);
  Perplexity p;
  p.tokens = static_cast<int64_t>(ids.size());
  for (int64_t t = 0; t + 1 < p.tokens; ++t) {
    const float* row = &out.values[t * out.cols];
    const float mx = *std::max_element(row, row + out.cols);
    double sum = 0;
    for (int64_t v = 0; v < out.cols; ++v) sum += std::exp(static_cast<double>(row[v] - mx));
    p.nll_sum -= static_cast<double>(row[ids[t + 1]] - mx) - std::log(sum);
  }
  p.perplexity = std::exp(p.nll_sum / static_cast<double>(p.tokens - 1));
  return p;
}

std::vector<std::pair<int32_t, float>> top_k_probs(std::span<const float> logits, int64_t k) {
  const int64_t V = static_cast<int64_t>(logits.size());
  k = std::min(k, V);
  const float mx = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (float l : logits) sum += std::exp(static_cast<double>(l - mx));
  std::vector<int32_t> idx(V);
  std::iota(idx.begin(), idx.end(), 0);
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                    [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); });
  std::vector<std::pair<int32_t, float>> out;
  for (int64_t i = 0; i < k; ++i)
    out.emplace_back(idx[i], static_cast<float>(std::exp(static_cast<double>(logits[idx[i]] - mx)) / sum));
  return out;
}

namespace {

int32_t sample(std::span<const float> logits, const SamplingOptions& opt, Rng& rng) {
  const int64_t V = static_cast<int64_t>(logits.size());
  if (opt.temperature <= 0.0f)
    return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  const int64_t k = opt.top_k > 0 ? std::min(opt.top_k, V) : V;
  std::vector<int32_t> idx(V);
  std::iota(idx.begin(), idx.end(), 0);
  if (k < V)
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                      [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); });
  float mx = -INFINITY;
  for (int64_t i = 0; i < k; ++i) mx = std::max(mx, logits[idx[i]]);
  std::vector<double> p(k);
  double sum = 0;
  for (int64_t i = 0; i < k; ++i) sum += p[i] = std::exp(static_cast<double>(logits[idx[i]] - mx) / opt.temperature);
  double r = rng.uniform() * sum;
  for (int64_t i = 0; i < k; ++i) {
    r -= p[i];
    if (r < 0) return idx[i];
  }
  return idx[k - 1];
}

}  // namespace

std::vector<int32_t> generate(Model& model, std::span<const int32_t> prompt, int64_t max_tokens,
                              const SamplingOptions& opt, int32_t stop_id,
                              const std::function<bool(int32_t)>& on_token, attention::Recorder* capture) {
  if (!model.is_decoder()) throw ConfigError("generation needs a decoder (language model), not an encoder");
  if (!(opt.temperature >= 0.0f) || opt.top_k < 0) throw ConfigError("temperature and top-k must be >= 0");
  model.reset();
  Rng rng(opt.seed);
  std::vector<int32_t> out;
  ModelOutput o = model.forward(prompt, capture);
  const int64_t V = o.cols;
  for (int64_t i = 0; i < max_tokens; ++i) {
    const int32_t next = sample(std::span<const float>(o.values).subspan((o.rows - 1) * V, V), opt, rng);
    out.push_back(next);
    if ((on_token && !on_token(next)) || next == stop_id) break;
    if (model.position() >= model.config().max_seq || i + 1 == max_tokens) break;
    const int32_t one[1] = {next};
    o = model.forward(one, capture);
  }
  return out;
}

}  // namespace attnscope::models
