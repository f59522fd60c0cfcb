#include "attnscope/focus/gradient_attribution.h"

#include <algorithm>
#include <cmath>

#include "attnscope/core/error.h"

namespace attnscope::focus {

void check(const AttentionGradient& g) {
  const size_t att = static_cast<size_t>(g.heads * g.tokens * g.tokens);
  if (g.heads <= 0 || g.tokens <= 0 || g.attention.size() != att || g.grad.size() != att)
    throw ShapeError("attribution: layer '" + g.name + "' has " + std::to_string(g.attention.size()) + " weights and " +
                     std::to_string(g.grad.size()) + " gradients for " + std::to_string(g.heads) + " heads of " +
                     std::to_string(g.tokens) + "x" + std::to_string(g.tokens));
  if (!g.head_values.empty() && g.head_values.size() != static_cast<size_t>(g.heads * g.tokens * g.dim))
    throw ShapeError("attribution: layer '" + g.name + "' has " + std::to_string(g.head_values.size()) +
                     " head values, expected " + std::to_string(g.heads) + "x" + std::to_string(g.tokens) + "x" +
                     std::to_string(g.dim));
}

AttentionMap grad_attention(const AttentionGradient& g) {
  check(g);
  const int64_t T = g.tokens, n = T * T;
  AttentionMap m{T, T, std::vector<float>(n, 0.0f)};
  for (int64_t h = 0; h < g.heads; ++h)
    for (int64_t i = 0; i < n; ++i) m.w[i] += g.attention[h * n + i] * g.grad[h * n + i] / static_cast<float>(g.heads);
  return m;
}

std::vector<double> head_gate_gradient(const AttentionGradient& g) {
  check(g);
  const int64_t n = g.tokens * g.tokens;
  std::vector<double> out(g.heads);
  for (int64_t h = 0; h < g.heads; ++h) {
    double s = 0;
    for (int64_t i = 0; i < n; ++i) s += static_cast<double>(g.attention[h * n + i]) * g.grad[h * n + i];
    out[h] = s;
  }
  return out;
}

namespace {

// Ā = mean over heads of (G ⊙ A)⁺ for one layer, after checking it has T tokens.
void positive_grad_attention(const AttentionGradient& g, int64_t T, std::vector<double>& bar) {
  check(g);
  if (g.tokens != T)
    throw ShapeError("gradient rollout: layer '" + g.name + "' has " + std::to_string(g.tokens) + " tokens, not " + std::to_string(T));
  const int64_t n = T * T;
  bar.assign(n, 0.0);
  for (int64_t h = 0; h < g.heads; ++h)
    for (int64_t i = 0; i < n; ++i) bar[i] += std::max(0.0, static_cast<double>(g.attention[h * n + i]) * g.grad[h * n + i]);
  for (double& v : bar) v /= static_cast<double>(g.heads);
}

}  // namespace

AttentionMap gradient_rollout(const std::vector<AttentionGradient>& layers) {
  if (layers.empty()) throw ShapeError("gradient rollout: no layers");
  const int64_t T = layers.front().tokens;
  std::vector<double> R(T * T, 0.0), next(T * T), bar(T * T);
  for (int64_t i = 0; i < T; ++i) R[i * T + i] = 1.0;
  for (const auto& g : layers) {
    positive_grad_attention(g, T, bar);
    // R <- R + bar R (i, k, j order: the inner loop runs along rows)
    next = R;
    for (int64_t i = 0; i < T; ++i)
      for (int64_t k = 0; k < T; ++k) {
        const double b = bar[i * T + k];
        if (b == 0) continue;
        for (int64_t j = 0; j < T; ++j) next[i * T + j] += b * R[k * T + j];
      }
    R.swap(next);
  }
  return {T, T, std::vector<float>(R.begin(), R.end())};
}

AttentionMap gradient_rollout_row(const std::vector<AttentionGradient>& layers, int64_t query) {
  if (layers.empty()) throw ShapeError("gradient rollout: no layers");
  const int64_t T = layers.front().tokens;
  if (query < 0 || query >= T) throw ConfigError("gradient rollout: query " + std::to_string(query) + " out of range");
  // Row q of (I + Ā_L)...(I + Ā_1): r = e_q, then r <- r + r Ā_l from the top layer down.
  std::vector<double> r(T, 0.0), next(T), bar;
  r[query] = 1.0;
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    positive_grad_attention(*it, T, bar);
    next = r;
    for (int64_t k = 0; k < T; ++k) {
      if (r[k] == 0) continue;
      for (int64_t j = 0; j < T; ++j) next[j] += r[k] * bar[k * T + j];
    }
    r.swap(next);
  }
  return {1, T, std::vector<float>(r.begin(), r.end())};
}

AttentionMap norm_attention(const AttentionGradient& g) {
  check(g);
  if (g.head_values.empty() || g.dim <= 0) throw ShapeError("norm attention: layer '" + g.name + "' has no head values");
  const int64_t T = g.tokens, C = g.dim;
  AttentionMap m{T, T, std::vector<float>(T * T, 0.0f)};
  std::vector<double> v(C);
  for (int64_t i = 0; i < T; ++i)
    for (int64_t j = 0; j < T; ++j) {
      std::fill(v.begin(), v.end(), 0.0);
      bool any = false;
      for (int64_t h = 0; h < g.heads; ++h) {
        const double a = g.attention[(h * T + i) * T + j];
        if (a == 0) continue;
        any = true;
        const float* f = &g.head_values[(h * T + j) * C];
        for (int64_t c = 0; c < C; ++c) v[c] += a * f[c];
      }
      if (!any) continue;
      double s = 0;
      for (double x : v) s += x * x;
      m.w[i * T + j] = static_cast<float>(std::sqrt(s));
    }
  return m;
}

}  // namespace attnscope::focus
