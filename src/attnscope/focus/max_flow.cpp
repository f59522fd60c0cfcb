#include "attnscope/focus/max_flow.h"

#include <algorithm>
#include <limits>

namespace attnscope::focus {

void MaxFlow::clear(int32_t nodes) {
  n_ = nodes;
  in_place_ = false;
  eu_.clear();
  ev_.clear();
  ec_.clear();
}

void MaxFlow::clear(int32_t nodes, const std::vector<int32_t>& degree) {
  n_ = nodes;
  in_place_ = true;
  start_.resize(static_cast<size_t>(n_) + 1);
  start_[0] = 0;
  for (int32_t v = 0; v < n_; ++v)
    start_[static_cast<size_t>(v) + 1] = start_[static_cast<size_t>(v)] + degree[static_cast<size_t>(v)];
  next_.assign(start_.begin(), start_.end() - 1);  // fill cursor per node
  const size_t arcs = static_cast<size_t>(start_[static_cast<size_t>(n_)]);
  to_.resize(arcs);
  rev_.resize(arcs);
  res_.resize(arcs);
  dist_.resize(static_cast<size_t>(n_));
  queue_.resize(static_cast<size_t>(n_));
}

void MaxFlow::add_edge(int32_t u, int32_t v, double capacity) {
  if (in_place_) {
    place(u, v, capacity);
    return;
  }
  if (capacity <= kEps) return;
  eu_.push_back(u);
  ev_.push_back(v);
  ec_.push_back(capacity);
}

// The arc u -> v at u's fill cursor and its reverse (residual 0) at v's.
void MaxFlow::place(int32_t u, int32_t v, double capacity) {
  const int32_t a = next_[static_cast<size_t>(u)]++, b = next_[static_cast<size_t>(v)]++;
  to_[static_cast<size_t>(a)] = v;
  res_[static_cast<size_t>(a)] = capacity;
  rev_[static_cast<size_t>(a)] = b;
  to_[static_cast<size_t>(b)] = u;
  res_[static_cast<size_t>(b)] = 0.0;
  rev_[static_cast<size_t>(b)] = a;
}

void MaxFlow::build() {
  const size_t m = eu_.size();
  start_.assign(static_cast<size_t>(n_) + 1, 0);
  for (size_t e = 0; e < m; ++e) {
    ++start_[static_cast<size_t>(eu_[e]) + 1];
    ++start_[static_cast<size_t>(ev_[e]) + 1];
  }
  for (int32_t v = 0; v < n_; ++v) start_[static_cast<size_t>(v) + 1] += start_[static_cast<size_t>(v)];
  next_.assign(start_.begin(), start_.end() - 1);  // fill cursor per node
  to_.resize(2 * m);
  rev_.resize(2 * m);
  res_.resize(2 * m);
  for (size_t e = 0; e < m; ++e) place(eu_[e], ev_[e], ec_[e]);
  dist_.resize(static_cast<size_t>(n_));
  queue_.resize(static_cast<size_t>(n_));
}

// Distances to t over arcs with residual capacity (BFS backwards from t); stops once s is
// reached, since farther nodes cannot lie on a shortest s-t path. False when s cannot reach t.
bool MaxFlow::levels(int32_t s, int32_t t) {
  std::fill(dist_.begin(), dist_.end(), -1);
  int32_t head = 0, tail = 0;
  dist_[static_cast<size_t>(t)] = 0;
  queue_[static_cast<size_t>(tail++)] = t;
  while (head < tail) {
    const int32_t v = queue_[static_cast<size_t>(head++)];
    const int32_t dv = dist_[static_cast<size_t>(v)];
    if (dist_[static_cast<size_t>(s)] >= 0 && dv >= dist_[static_cast<size_t>(s)]) break;
    for (int32_t e = start_[static_cast<size_t>(v)]; e < start_[static_cast<size_t>(v) + 1]; ++e) {
      const int32_t u = to_[static_cast<size_t>(e)];  // arc u -> v is rev_[e]
      if (dist_[static_cast<size_t>(u)] < 0 && res_[static_cast<size_t>(rev_[static_cast<size_t>(e)])] > kEps) {
        dist_[static_cast<size_t>(u)] = dv + 1;
        queue_[static_cast<size_t>(tail++)] = u;
      }
    }
  }
  return dist_[static_cast<size_t>(s)] >= 0;
}

// Pushes up to `limit` from u towards t along arcs that step one level closer; returns the
// amount pushed. Several paths per call (multi-push); a node that cannot pass on everything it
// was offered is blocked for this phase (its distance is cleared).
double MaxFlow::push(int32_t u, int32_t t, double limit) {
  if (u == t) return limit;
  double pushed = 0;
  const int32_t du = dist_[static_cast<size_t>(u)];
  const int32_t end = start_[static_cast<size_t>(u) + 1];
  for (int32_t& e = next_[static_cast<size_t>(u)]; e < end; ++e) {
    const int32_t v = to_[static_cast<size_t>(e)];
    double& r = res_[static_cast<size_t>(e)];
    if (r <= kEps || dist_[static_cast<size_t>(v)] != du - 1) continue;
    const double d = push(v, t, std::min(limit - pushed, r));
    if (d <= 0) continue;
    r -= d;
    res_[static_cast<size_t>(rev_[static_cast<size_t>(e)])] += d;
    pushed += d;
    if (limit - pushed <= kEps) return pushed;  // keep arc e: it may still carry more
  }
  dist_[static_cast<size_t>(u)] = -1;
  return pushed;
}

double MaxFlow::solve(int32_t s, int32_t t) {
  if (!in_place_) build();
  double flow = 0;
  while (levels(s, t)) {
    std::copy(start_.begin(), start_.end() - 1, next_.begin());
    // One multi-push call from s leaves every arc of s saturated or blocked: a blocking flow.
    flow += push(s, t, std::numeric_limits<double>::infinity());
  }
  return flow;
}

}  // namespace attnscope::focus
