#include "attnscope/attention/diagonal_prior.h"

#include <cmath>
#include <string>

#include "attnscope/core/error.h"

namespace attnscope::attention {

Tensor diagonal_prior(const std::vector<int32_t>& key_lengths, int64_t T, int64_t N, int64_t query_offset,
                      double sigma, double ratio) {
  if (!(sigma > 0) || !std::isfinite(sigma) || !(ratio > 0) || !std::isfinite(ratio))
    throw ConfigError("diagonal prior: sigma and the length ratio must be finite and > 0");
  const int64_t B = static_cast<int64_t>(key_lengths.size());
  Tensor out = Tensor::zeros(Shape{B, T, N});
  float* p = out.data<float>();
  const double inv = 1.0 / (2 * sigma * sigma);
  for (int64_t b = 0; b < B; ++b) {
    const int64_t J = key_lengths[b];
    if (J < 1 || J > N)
      throw ShapeError("diagonal prior: key length " + std::to_string(J) + " outside 1.." + std::to_string(N));
    const double I = ratio * static_cast<double>(J);
    for (int64_t i = 0; i < T; ++i) {
      const double x = (static_cast<double>(query_offset + i) + 0.5) / I;
      for (int64_t j = 0; j < N; ++j) {
        const double d = x - (static_cast<double>(j) + 0.5) / static_cast<double>(J);
        p[(b * T + i) * N + j] = static_cast<float>(-d * d * inv);
      }
    }
  }
  return out;
}

}  // namespace attnscope::attention
