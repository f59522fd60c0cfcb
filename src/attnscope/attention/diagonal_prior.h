// A diagonal (locality) log-prior for encoder-decoder attention: query i of a target expected to
// be I long prefers source key j of J where i/I ~ j/J (Cohn et al. 2016's position bias, in its
// simplest fixed form):
//   prior[b, i, j] = -(x_i - y_j)^2 / (2 sigma^2),  x_i = (i + 0.5) / I_b,  y_j = (j + 0.5) / J_b
// with J_b = key_lengths[b] and I_b = ratio * J_b: the expected target length comes from the
// source alone, so training (teacher forcing) and decoding (target length unknown) add the same
// bias. Added to the scores through the mechanisms' `prior` (SoftCall / AttentionCall).
#pragma once
#include <cstdint>
#include <vector>

#include "attnscope/tensor/tensor.h"

namespace attnscope::attention {

// [B, T, N] (f32, constant) for T queries at positions query_offset .. query_offset + T - 1 over N
// keys. ConfigError for sigma <= 0 or ratio <= 0; ShapeError for key lengths outside 1..N.
Tensor diagonal_prior(const std::vector<int32_t>& key_lengths, int64_t T, int64_t N, int64_t query_offset,
                      double sigma, double ratio);

}  // namespace attnscope::attention
