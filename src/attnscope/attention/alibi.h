// ALiBi (Press, Smith & Lewis 2022, "Train Short, Test Long"): no position embeddings; each head
// adds -m_h * distance to its scores. Slopes form a geometric sequence starting at
// 2^(-8/n) with ratio 2^(-8/n) for n a power of two (8 heads: 1/2, 1/4, ..., 1/256); for other
// head counts, the slopes of the nearest lower power of two followed by every other slope of the
// next power of two (the paper's reference implementation).
#pragma once
#include <cstdint>
#include <vector>

#include "attnscope/tensor/tensor.h"

namespace attnscope::attention {

std::vector<float> alibi_slopes(int64_t num_heads);

// Bias [1, NH, T, N]: -slope_h * |p(i) - j| with p(i) = i + (N - T) (bottom-right alignment,
// as in AttentionMask). Not differentiated (the slopes are fixed).
Tensor alibi_bias(const std::vector<float>& slopes, int64_t T, int64_t N, DType dtype = DType::f32);

}  // namespace attnscope::attention
