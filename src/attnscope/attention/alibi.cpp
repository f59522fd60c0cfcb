#include "attnscope/attention/alibi.h"

#include <cmath>

#include "attnscope/core/error.h"

namespace attnscope::attention {

namespace {
std::vector<float> power_of_two_slopes(int64_t n) {
  std::vector<float> s(n);
  const double start = std::pow(2.0, -8.0 / static_cast<double>(n));
  double v = start;
  for (int64_t i = 0; i < n; ++i, v *= start) s[i] = static_cast<float>(v);
  return s;
}
}  // namespace

std::vector<float> alibi_slopes(int64_t num_heads) {
  if (num_heads <= 0) throw ConfigError("alibi: head count must be >= 1, got " + std::to_string(num_heads));
  int64_t p2 = 1;
  while (p2 * 2 <= num_heads) p2 *= 2;
  std::vector<float> s = power_of_two_slopes(p2);
  if (p2 < num_heads) {
    const std::vector<float> extra = power_of_two_slopes(2 * p2);
    for (int64_t i = 0; static_cast<int64_t>(s.size()) < num_heads; i += 2) s.push_back(extra[i]);
  }
  return s;
}

Tensor alibi_bias(const std::vector<float>& slopes, int64_t T, int64_t N, DType dtype) {
  const int64_t NH = static_cast<int64_t>(slopes.size());
  Tensor b = Tensor::empty(Shape{1, NH, T, N}, dtype);
  dispatch_dtype(dtype, [&]<class V>() {
    V* p = b.data<V>();
    for (int64_t h = 0; h < NH; ++h)
      for (int64_t i = 0; i < T; ++i)
        for (int64_t j = 0; j < N; ++j)
          p[(h * T + i) * N + j] = static_cast<V>(-static_cast<double>(slopes[h]) * std::abs(static_cast<double>(i + (N - T) - j)));
  });
  return b;
}

}  // namespace attnscope::attention
