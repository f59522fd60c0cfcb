#include "attnscope/attention/relative_bias.h"

#include <cmath>

#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {

int64_t relative_position_bucket(int64_t rel, bool bidirectional, int64_t num_buckets, int64_t max_distance) {
  int64_t bucket = 0;
  if (bidirectional) {
    num_buckets /= 2;
    if (rel > 0) bucket += num_buckets;
    rel = std::abs(rel);
  } else {
    rel = -std::min<int64_t>(rel, 0);
  }
  const int64_t max_exact = num_buckets / 2;
  if (rel < max_exact) return bucket + rel;
  const int64_t large = max_exact + static_cast<int64_t>(std::log(static_cast<double>(rel) / max_exact) /
                                                         std::log(static_cast<double>(max_distance) / max_exact) *
                                                         static_cast<double>(num_buckets - max_exact));
  return bucket + std::min(large, num_buckets - 1);
}

RelativePositionBias::RelativePositionBias(int64_t num_heads, Rng& rng, int64_t num_buckets, int64_t max_distance,
                                           bool bidirectional)
    : num_heads_(num_heads), num_buckets_(num_buckets), max_distance_(max_distance), bidirectional_(bidirectional) {
  if (num_heads < 1 || num_buckets < 4 || max_distance <= num_buckets / 2)
    throw ConfigError("relative_bias: need heads >= 1, buckets >= 4 and max_distance > buckets / 2");
  embedding_ = register_parameter("embedding", Tensor::randn(Shape{num_buckets, num_heads}, rng, 0.02));
}

Tensor RelativePositionBias::forward(int64_t T, int64_t N, int64_t query_offset) const {
  std::vector<int64_t> ids(T * N);
  for (int64_t i = 0; i < T; ++i)
    for (int64_t j = 0; j < N; ++j)
      ids[i * N + j] = relative_position_bucket(j - (query_offset + i), bidirectional_, num_buckets_, max_distance_);
  Tensor e = ops::embedding(embedding_, ids, Shape{T, N});                 // [T, N, NH]
  return ops::reshape(ops::permute(e, {2, 0, 1}), Shape{1, num_heads_, T, N});  // [1, NH, T, N]
}

}  // namespace attnscope::attention
