#include "attnscope/focus/attention_flow.h"

#include <algorithm>
#include <atomic>
#include <bit>

#include "attnscope/core/error.h"
#include "attnscope/core/parallel.h"
#include "attnscope/focus/max_flow.h"
#include "attnscope/focus/residual_attention.h"

namespace attnscope::focus {

namespace {

// The layered graph of a stack: capacities Â_l and their non-zero pattern as bitsets.
struct Layers {
  int64_t L = 0, T = 0, W = 0;      // layers, tokens, 64-bit words per bitset of T nodes
  std::vector<std::vector<double>> a;  // L of [T, T]: a[l - 1][r * T + c] = Â_l[r, c]
  std::vector<uint64_t> pattern;       // [L, T, W]: bit c of (l - 1, r) set when Â_l[r, c] > kEps
  std::vector<uint64_t> pattern_t;     // [L, T, W]: its transpose, bit r of (l - 1, c)

  explicit Layers(const std::vector<AttentionMap>& stack) {
    check_stack(stack);
    L = static_cast<int64_t>(stack.size());
    T = stack[0].rows;
    W = (T + 63) / 64;
    pattern.assign(static_cast<size_t>(L * T * W), 0);
    pattern_t.assign(static_cast<size_t>(L * T * W), 0);
    for (int64_t l = 1; l <= L; ++l) {
      a.push_back(residual_attention(stack[static_cast<size_t>(l - 1)]));
      for (int64_t r = 0; r < T; ++r)
        for (int64_t c = 0; c < T; ++c)
          if (cap(l, r)[c] > MaxFlow::kEps) {
            pat(l, r)[c / 64] |= uint64_t{1} << (c % 64);
            pattern_t[static_cast<size_t>(((l - 1) * T + c) * W + r / 64)] |= uint64_t{1} << (r % 64);
          }
    }
  }
  const double* cap(int64_t l, int64_t r) const { return a[static_cast<size_t>(l - 1)].data() + r * T; }
  uint64_t* pat(int64_t l, int64_t r) { return pattern.data() + ((l - 1) * T + r) * W; }
  const uint64_t* pat(int64_t l, int64_t r) const { return pattern.data() + ((l - 1) * T + r) * W; }
  const uint64_t* pat_t(int64_t l, int64_t c) const { return pattern_t.data() + ((l - 1) * T + c) * W; }
};

int64_t popcount_and(const uint64_t* x, const uint64_t* y, int64_t W) {
  int64_t n = 0;
  for (int64_t w = 0; w < W; ++w) n += std::popcount(x[w] & y[w]);
  return n;
}

bool test_bit(const uint64_t* b, int64_t i) { return (b[i / 64] >> (i % 64)) & 1u; }

// [L + 1, W]: row l = the nodes of layer l that (L, i) reaches.
std::vector<uint64_t> reach_from(const Layers& g, int64_t i) {
  std::vector<uint64_t> r(static_cast<size_t>((g.L + 1) * g.W), 0);
  r[static_cast<size_t>(g.L * g.W + i / 64)] |= uint64_t{1} << (i % 64);
  for (int64_t l = g.L; l >= 1; --l) {
    const uint64_t* up = r.data() + l * g.W;
    uint64_t* down = r.data() + (l - 1) * g.W;
    for (int64_t a = 0; a < g.T; ++a)
      if (test_bit(up, a))
        for (int64_t w = 0; w < g.W; ++w) down[w] |= g.pat(l, a)[w];
  }
  return r;
}

// [L + 1, W]: row l = the nodes of layer l that reach (0, j).
std::vector<uint64_t> reach_to(const Layers& g, int64_t j) {
  std::vector<uint64_t> r(static_cast<size_t>((g.L + 1) * g.W), 0);
  r[static_cast<size_t>(j / 64)] |= uint64_t{1} << (j % 64);
  for (int64_t l = 1; l <= g.L; ++l) {
    const uint64_t* down = r.data() + (l - 1) * g.W;
    uint64_t* up = r.data() + l * g.W;
    for (int64_t a = 0; a < g.T; ++a) {
      const uint64_t* p = g.pat(l, a);
      for (int64_t w = 0; w < g.W; ++w)
        if (p[w] & down[w]) {
          up[a / 64] |= uint64_t{1} << (a % 64);
          break;
        }
    }
  }
  return r;
}

// One (source, sink) problem, with its estimated cost (edges of the pruned graph) for scheduling.
struct Pair {
  int64_t i, j;
  int64_t cost;
};

// Per-thread buffers, reused from pair to pair.
struct Solver {
  MaxFlow flow;
  std::vector<uint64_t> kept;               // [L + 1, W] nodes both reached from the source and reaching the sink
  std::vector<std::vector<int32_t>> nodes;  // [L + 1] kept positions of each layer, ascending
  std::vector<int32_t> id;                  // [L + 1, T] node id of a kept position
  std::vector<int32_t> degree;              // [nodes] arcs per node (out + in)

  // Max flow from (L, i) to (0, j) over the nodes both reach (from, to: reach_from/reach_to rows).
  // The graph is written straight into the solver's arrays: degrees by popcount of the capacity
  // pattern against the kept sets, then each edge once (measured: the edge list + counting sort
  // of MaxFlow::add_edge took 60% of the time of one row at N = 512).
  double solve(const Layers& g, int64_t i, int64_t j, const uint64_t* from, const uint64_t* to) {
    const int64_t L = g.L, T = g.T, W = g.W;
    kept.resize(static_cast<size_t>((L + 1) * W));
    nodes.resize(static_cast<size_t>(L + 1));
    id.resize(static_cast<size_t>((L + 1) * T));
    int32_t n = 0;
    for (int64_t l = L; l >= 0; --l) {
      auto& keep = nodes[static_cast<size_t>(l)];
      keep.clear();
      uint64_t* k = kept.data() + l * W;
      for (int64_t w = 0; w < W; ++w) {
        k[w] = from[l * W + w] & to[l * W + w];
        for (uint64_t m = k[w]; m; m &= m - 1) {
          const int64_t p = w * 64 + std::countr_zero(m);
          keep.push_back(static_cast<int32_t>(p));
          id[static_cast<size_t>(l * T + p)] = n++;
        }
      }
      if (keep.empty()) return 0.0;  // no path from i to j
    }
    degree.resize(static_cast<size_t>(n));
    for (int64_t l = L; l >= 0; --l)
      for (int32_t p : nodes[static_cast<size_t>(l)]) {
        int64_t d = 0;
        if (l >= 1) d += popcount_and(g.pat(l, p), kept.data() + (l - 1) * W, W);      // out: to layer l - 1
        if (l < L) d += popcount_and(g.pat_t(l + 1, p), kept.data() + (l + 1) * W, W);  // in: from layer l + 1
        degree[static_cast<size_t>(id[static_cast<size_t>(l * T + p)])] = static_cast<int32_t>(d);
      }
    flow.clear(n, degree);
    for (int64_t l = L; l >= 1; --l) {
      const uint64_t* below = kept.data() + (l - 1) * W;
      const int32_t* below_id = id.data() + (l - 1) * T;
      for (int32_t p : nodes[static_cast<size_t>(l)]) {
        const double* c = g.cap(l, p);  // [T] capacities out of (l, p)
        const uint64_t* pp = g.pat(l, p);
        const int32_t u = id[static_cast<size_t>(l * T + p)];
        for (int64_t w = 0; w < W; ++w)
          for (uint64_t m = pp[w] & below[w]; m; m &= m - 1) {
            const int64_t b = w * 64 + std::countr_zero(m);
            flow.add_edge(u, below_id[b], c[b]);
          }
      }
    }
    return flow.solve(id[static_cast<size_t>(L * T + i)], id[static_cast<size_t>(j)]);  // layer L is {i}, 0 is {j}
  }
};

// Max flow for every pair, then each source's row divided by its sum. Rows: the sources in `rows`.
AttentionMap solve_rows(const Layers& g, const std::vector<int64_t>& rows) {
  const int64_t R = static_cast<int64_t>(rows.size()), T = g.T, LW = (g.L + 1) * g.W;
  std::vector<uint64_t> from(static_cast<size_t>(R * LW)), to(static_cast<size_t>(T * LW));  // [R|T, L + 1, W]
  for (int64_t r = 0; r < R; ++r) {
    auto b = reach_from(g, rows[static_cast<size_t>(r)]);
    std::copy(b.begin(), b.end(), from.begin() + r * LW);
  }
  for (int64_t j = 0; j < T; ++j) {
    auto b = reach_to(g, j);
    std::copy(b.begin(), b.end(), to.begin() + j * LW);
  }
  // Largest problems first, handed out one at a time: pair costs differ by orders of magnitude
  // (causal: (i - j)^2 edges per layer), so a static split would leave one thread idle.
  std::vector<Pair> pairs;
  for (int64_t r = 0; r < R; ++r)
    for (int64_t j = 0; j < T; ++j) {
      const uint64_t* f = from.data() + r * LW;
      const uint64_t* t = to.data() + j * LW;
      if (!test_bit(f, j)) continue;  // (0, j) unreachable: flow 0
      int64_t cost = 0, prev = 1;
      for (int64_t l = g.L - 1; l >= 0; --l) {
        int64_t cnt = 0;
        for (int64_t w = 0; w < g.W; ++w) cnt += std::popcount(f[l * g.W + w] & t[l * g.W + w]);
        cost += cnt * prev;
        prev = cnt;
      }
      pairs.push_back({r, j, cost});
    }
  std::stable_sort(pairs.begin(), pairs.end(), [](const Pair& x, const Pair& y) { return x.cost > y.cost; });
  std::vector<double> raw(static_cast<size_t>(R * T), 0.0);  // [R, T]
  std::atomic<size_t> next{0};
  parallel_for(0, num_threads(), 1, [&](int64_t, int64_t) {
    Solver s;
    for (size_t k; (k = next.fetch_add(1)) < pairs.size();) {
      const Pair& p = pairs[k];
      raw[static_cast<size_t>(p.i * T + p.j)] =
          s.solve(g, rows[static_cast<size_t>(p.i)], p.j, from.data() + p.i * LW, to.data() + p.j * LW);
    }
  });
  AttentionMap out{R, T, std::vector<float>(static_cast<size_t>(R * T))};
  for (int64_t r = 0; r < R; ++r) {
    double sum = 0;  // > 0: the path along the diagonal has capacity prod_l Â_l[i, i] > 0
    for (int64_t j = 0; j < T; ++j) sum += raw[static_cast<size_t>(r * T + j)];
    for (int64_t j = 0; j < T; ++j) out.at(r, j) = static_cast<float>(raw[static_cast<size_t>(r * T + j)] / sum);
  }
  return out;
}

}  // namespace

AttentionMap attention_flow(const std::vector<AttentionMap>& stack) {
  const Layers g(stack);
  std::vector<int64_t> rows(static_cast<size_t>(g.T));
  for (int64_t i = 0; i < g.T; ++i) rows[static_cast<size_t>(i)] = i;
  return solve_rows(g, rows);
}

AttentionMap attention_flow_row(const std::vector<AttentionMap>& stack, int64_t query) {
  const Layers g(stack);
  ATTNSCOPE_CHECK(query >= 0 && query < g.T, ConfigError,
                  "flow query " + std::to_string(query) + " out of range [0, " + std::to_string(g.T) + ")");
  return solve_rows(g, {query});
}

AttentionMap attention_flow(const io::Trace& trace, const std::vector<int64_t>& layers, HeadFusion fusion) {
  return attention_flow(fused_layers(trace, layers, fusion));
}

AttentionMap attention_flow_row(const io::Trace& trace, const std::vector<int64_t>& layers, int64_t query,
                                HeadFusion fusion) {
  return attention_flow_row(fused_layers(trace, layers, fusion), query);
}

}  // namespace attnscope::focus
