// Using a decoder: teacher-forced perplexity, next-token top-k, and generation (greedy,
// temperature, top-k sampling with the seeded Rng, so a seed reproduces a sample).
#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "attnscope/models/model.h"

namespace attnscope::models {

struct SamplingOptions {
  float temperature = 0.0f;  // 0: greedy (argmax, ties to the lower id)
  int64_t top_k = 0;         // > 0: sample among the k most likely
  uint64_t seed = 0;
};

struct Perplexity {
  double perplexity = 0, nll_sum = 0;
  int64_t tokens = 0;  // input length (including BOS); tokens - 1 predictions
};
// One forward over ids (from a reset cache): exp(mean -log p(ids[t+1] | ids[..t])).
Perplexity perplexity(Model& model, std::span<const int32_t> ids, attention::Recorder* capture = nullptr);

// The k most likely ids of one logit row with their probabilities (softmax), best first.
std::vector<std::pair<int32_t, float>> top_k_probs(std::span<const float> logits, int64_t k);

// Feeds prompt (from a reset cache), then samples up to max_tokens new tokens, one forward per
// token. on_token(id) is called as each arrives; returning false stops. Stops at stop_id (>= 0)
// after reporting it, and at the end of the context.
std::vector<int32_t> generate(Model& model, std::span<const int32_t> prompt, int64_t max_tokens,
                              const SamplingOptions& opt, int32_t stop_id,
                              const std::function<bool(int32_t)>& on_token, attention::Recorder* capture = nullptr);

}  // namespace attnscope::models
