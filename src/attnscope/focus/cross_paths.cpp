#include "attnscope/focus/cross_paths.h"

#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/focus/max_flow.h"
#include "attnscope/focus/residual_attention.h"

namespace attnscope::focus {

namespace {

void check_row(const std::vector<double>& row, const std::vector<AttentionMap>& encoder) {
  if (row.empty()) throw ShapeError("cross-attention paths: empty row");
  for (double v : row)
    if (!std::isfinite(v) || v < 0) throw ValueError("cross-attention paths: weight " + std::to_string(v) + " is not a finite non-negative number");
  for (size_t l = 0; l < encoder.size(); ++l)
    check_layer(encoder[l], static_cast<int64_t>(row.size()), "encoder layer " + std::to_string(l));
}

std::vector<double> normalised(std::vector<double> v) {
  double s = 0;
  for (double x : v) s += x;
  if (s > 0)
    for (double& x : v) x /= s;
  return v;
}

}  // namespace

std::vector<double> cross_rollout(const std::vector<double>& row, const std::vector<AttentionMap>& encoder) {
  check_row(row, encoder);
  const size_t S = row.size();
  std::vector<double> r = normalised(row), next(S);
  for (auto it = encoder.rbegin(); it != encoder.rend(); ++it) {  // r <- r Â_l, top layer first
    const std::vector<double> a = residual_attention(*it);
    std::fill(next.begin(), next.end(), 0.0);
    for (size_t i = 0; i < S; ++i)
      for (size_t j = 0; j < S; ++j) next[j] += r[i] * a[i * S + j];
    r.swap(next);
  }
  return r;
}

std::vector<double> cross_flow(const std::vector<double>& row, const std::vector<AttentionMap>& encoder) {
  check_row(row, encoder);
  const int32_t S = static_cast<int32_t>(row.size()), L = static_cast<int32_t>(encoder.size());
  if (L == 0) return normalised(row);
  std::vector<std::vector<double>> a;
  for (const auto& w : encoder) a.push_back(residual_attention(w));
  // Nodes: 0 the source, then (l, i) = 1 + l * S + i for l = 0..L (l = L: the encoder's top).
  auto node = [S](int32_t l, int32_t i) { return 1 + l * S + i; };
  std::vector<double> out(S);
  MaxFlow mf;
  for (int32_t j = 0; j < S; ++j) {
    mf.clear(1 + (L + 1) * S);
    for (int32_t i = 0; i < S; ++i) mf.add_edge(0, node(L, i), row[i]);
    for (int32_t l = L; l >= 1; --l)
      for (int32_t x = 0; x < S; ++x)
        for (int32_t y = 0; y < S; ++y) mf.add_edge(node(l, x), node(l - 1, y), a[l - 1][x * S + y]);
    out[j] = mf.solve(0, node(0, j));
  }
  return normalised(out);
}

}  // namespace attnscope::focus
