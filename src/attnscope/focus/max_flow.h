// Maximum flow by Dinic's algorithm (blocking flows on BFS level graphs), double precision: the
// exact solver under attention flow (focus/attention_flow.h). Made for solving many small graphs
// in a row: one object per thread, clear() keeps every buffer, so after the first graph nothing
// is allocated. Residual capacities at or below kEps count as saturated, which keeps rounding
// residue (1e-17) from spawning endless tiny augmentations; the value it can drop is below
// kEps per edge of a cut.
#pragma once
#include <cstdint>
#include <vector>

namespace attnscope::focus {

class MaxFlow {
 public:
  static constexpr double kEps = 1e-14;

  // Starts a new graph of `nodes` nodes and no edges.
  void clear(int32_t nodes);
  // Starts a new graph whose arcs are written in place (no edge list, no sort): degree[v] is the
  // number of edges that will touch v (in + out); add_edge must then add exactly those edges,
  // each with capacity > kEps. Attention flow builds one graph per (source, sink) pair this way.
  void clear(int32_t nodes, const std::vector<int32_t>& degree);
  // Adds the edge u -> v (capacities <= kEps are left out).
  void add_edge(int32_t u, int32_t v, double capacity);
  // The maximum flow value from s to t (s != t). Consumes the graph: call clear() before the next.
  double solve(int32_t s, int32_t t);

 private:
  void build();
  void place(int32_t u, int32_t v, double capacity);
  bool levels(int32_t s, int32_t t);
  double push(int32_t u, int32_t t, double limit);

  int32_t n_ = 0;
  bool in_place_ = false;         // clear(nodes, degree): arcs already placed, build() skipped
  std::vector<int32_t> eu_, ev_;  // [E] edge list until build()
  std::vector<double> ec_;        // [E]
  std::vector<int32_t> start_;    // [n + 1] CSR offsets of each node's arcs
  std::vector<int32_t> to_, rev_; // [2E] arc head, index of the paired reverse arc
  std::vector<double> res_;       // [2E] residual capacity
  std::vector<int32_t> dist_;     // [n] arcs to t in the residual graph (-1: cannot reach t)
  std::vector<int32_t> next_;     // [n] current arc (Dinic's pointer)
  std::vector<int32_t> queue_;    // [n]
};

}  // namespace attnscope::focus
