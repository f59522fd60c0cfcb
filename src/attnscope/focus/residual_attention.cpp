#include "attnscope/focus/residual_attention.h"

#include <cmath>

#include "attnscope/core/error.h"

namespace attnscope::focus {

void check_layer(const AttentionMap& w, int64_t T, const std::string& what) {
  ATTNSCOPE_CHECK(w.rows == w.cols && w.rows > 0 && (T == 0 || w.rows == T), ShapeError,
                  what + " is " + std::to_string(w.rows) + "x" + std::to_string(w.cols) +
                      "; rollout and flow need square self-attention over " +
                      (T == 0 ? std::string("one length") : std::to_string(T) + " tokens"));
  ATTNSCOPE_CHECK(static_cast<int64_t>(w.w.size()) == w.rows * w.cols, ShapeError,
                  what + " holds " + std::to_string(w.w.size()) + " weights, not " + std::to_string(w.rows * w.cols));
  for (int64_t i = 0; i < w.rows * w.cols; ++i) {
    const float v = w.w[static_cast<size_t>(i)];
    ATTNSCOPE_CHECK(std::isfinite(v) && v >= 0.0f, ValueError,
                    what + " has weight " + std::to_string(v) + " at (" + std::to_string(i / w.cols) + ", " +
                        std::to_string(i % w.cols) + "); rollout and flow need finite non-negative weights");
  }
}

void check_stack(const std::vector<AttentionMap>& stack) {
  ATTNSCOPE_CHECK(!stack.empty(), ConfigError, "rollout/flow need at least one layer");
  for (size_t l = 0; l < stack.size(); ++l) check_layer(stack[l], stack[0].rows, "layer " + std::to_string(l));
}

std::vector<double> residual_attention(const AttentionMap& w) {
  const int64_t T = w.rows;
  std::vector<double> a(static_cast<size_t>(T * T));  // [T, T]
  for (int64_t q = 0; q < T; ++q) {
    double* r = a.data() + q * T;
    double sum = 0;
    for (int64_t k = 0; k < T; ++k) sum += (r[k] = static_cast<double>(w.at(q, k)) + (q == k ? 1.0 : 0.0));
    for (int64_t k = 0; k < T; ++k) r[k] /= sum;
  }
  return a;
}

}  // namespace attnscope::focus
