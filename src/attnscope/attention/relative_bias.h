// T5-style learned relative position bias (Raffel et al. 2020): each head adds a learned scalar
// per bucket of the relative distance key - query; buckets are exact for small distances and
// logarithmic up to max_distance (everything beyond shares the last bucket).
#pragma once
#include <cstdint>

#include "attnscope/nn/module.h"

namespace attnscope::attention {

// The bucket of relative position (key_pos - query_pos), as in T5 / Hugging Face.
int64_t relative_position_bucket(int64_t relative_position, bool bidirectional, int64_t num_buckets,
                                 int64_t max_distance);

class RelativePositionBias : public nn::Module {
 public:
  RelativePositionBias(int64_t num_heads, Rng& rng, int64_t num_buckets = 32, int64_t max_distance = 128,
                       bool bidirectional = true);
  std::string type_name() const override { return "RelativePositionBias"; }
  // Bias [1, NH, T, N] for T queries at positions query_offset .. query_offset + T - 1 over N keys
  // at 0 .. N - 1 (differentiable in the embedding).
  Tensor forward(int64_t T, int64_t N, int64_t query_offset = 0) const;
  const Tensor& embedding() const { return embedding_; }

 private:
  int64_t num_heads_, num_buckets_, max_distance_;
  bool bidirectional_;
  Tensor embedding_;  // [num_buckets, NH]
};

}  // namespace attnscope::attention
