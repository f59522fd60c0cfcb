// Recorder: keeps what attention modules report (see recorder.h) and turns it into io::Trace.
#include "attnscope/attention/recorder.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

#include "attnscope/core/error.h"
#include "attnscope/io/trace_io.h"

namespace attnscope::attention {

// ---- Keep -----------------------------------------------------------------------------------

Keep Keep::topk(int k) {
  if (k <= 0) throw ConfigError("recorder: topk:K needs K >= 1, got " + std::to_string(k));
  return {io::TraceKeep::topk, k};
}

Keep Keep::parse(std::string_view text) {
  const std::string bad = "capture: expected dense, topk:K (K >= 1) or stats, optionally followed by ,qk and ,next:K "
                          "(K >= 1), got '" + std::string(text) + "'";
  auto number = [&](std::string_view num) {
    int k = 0;
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), k);
    if (ec != std::errc() || p != num.data() + num.size() || k <= 0) throw ConfigError(bad);
    return k;
  };
  Keep out;
  bool mode_seen = false, qk_seen = false, next_seen = false;
  size_t pos = 0;
  do {
    const size_t comma = text.find(',', pos);
    const std::string_view item = text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    pos = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
    bool is_mode = true;
    Keep m;
    if (item == "dense") m = dense();
    else if (item == "stats") m = stats();
    else if (item.starts_with("topk:")) m = topk(number(item.substr(5)));
    else is_mode = false;
    if (is_mode) {
      if (mode_seen || qk_seen || next_seen) throw ConfigError(bad);  // one mode, first
      mode_seen = true;
      out.mode = m.mode;
      out.k = m.k;
    } else if (item == "qk" && !qk_seen) {
      qk_seen = out.qk = true;
    } else if (item.starts_with("next:") && !next_seen) {
      next_seen = true;
      out.next = number(item.substr(5));
    } else {
      throw ConfigError(bad);
    }
  } while (pos <= text.size());
  return out;
}

std::string Keep::str() const {
  std::string s = mode == io::TraceKeep::dense ? "dense" : mode == io::TraceKeep::stats ? "stats" : "topk:" + std::to_string(k);
  if (qk) s += ",qk";
  if (next > 0) s += ",next:" + std::to_string(next);
  return s;
}

const char* weight_kind_name(WeightKind k) {
  switch (k) {
    case WeightKind::soft: return "soft";
    case WeightKind::sparse: return "sparse";
    case WeightKind::hard: return "hard";
  }
  return "?";
}

Extra Extra::of(const Tensor& t, bool batched, int query_dim) {
  Extra e;
  e.shape = t.shape().vec();
  e.values = t.to_vector();
  e.batched = batched;
  e.query_dim = query_dim;
  const int rank = static_cast<int>(e.shape.size()) - (batched ? 1 : 0);
  if (rank < 0 || query_dim >= rank)
    throw ShapeError("recorder: extra of shape " + t.str() + " has no query dim " + std::to_string(query_dim));
  return e;
}

// ---- row helpers ----------------------------------------------------------------------------

void row_stats(const float* w, int64_t n, float* entropy, float* max_weight, int32_t* argmax) {
  double h = 0;
  float m = 0;
  int32_t am = -1;
  for (int64_t j = 0; j < n; ++j) {
    const float p = w[j];
    if (p > 0) {
      h -= static_cast<double>(p) * std::log(static_cast<double>(p));
      if (p > m) { m = p; am = static_cast<int32_t>(j); }
    }
  }
  *entropy = static_cast<float>(h);
  *max_weight = m;
  *argmax = am;
}

void row_topk(const float* w, int64_t n, int k, int32_t* index, float* weight) {
  // Partial selection over positive entries only; small k, so a k-slot insertion list.
  int filled = 0;
  for (int64_t j = 0; j < n; ++j) {
    const float p = w[j];
    if (!(p > 0)) continue;
    if (filled == k && p <= weight[k - 1]) continue;  // ties keep the earlier (lower) index
    int pos = filled < k ? filled++ : k - 1;
    while (pos > 0 && weight[pos - 1] < p) {
      weight[pos] = weight[pos - 1];
      index[pos] = index[pos - 1];
      --pos;
    }
    weight[pos] = p;
    index[pos] = static_cast<int32_t>(j);
  }
  for (int s = filled; s < k; ++s) { index[s] = -1; weight[s] = 0; }
}

// ---- Recorder ---------------------------------------------------------------------------------

namespace {

std::string dims_str(int64_t B, int64_t H, int64_t T, int64_t N) {
  return "[" + std::to_string(B) + ", " + std::to_string(H) + ", " + std::to_string(T) + ", " +
         std::to_string(N) + "]";
}

void alloc(Record& r) {
  const int64_t rows = r.B * r.H * r.T;
  if (r.keep.mode == io::TraceKeep::dense) r.dense.assign(rows * r.N, 0.f);
  if (r.keep.mode == io::TraceKeep::topk) {
    r.topk_index.assign(rows * r.keep.k, -1);
    r.topk_weight.assign(rows * r.keep.k, 0.f);
  }
}

}  // namespace

void Recorder::record(const Site& site, const Tensor& weights, Extras extras, const Tensor& lse) {
  if (paused_) return;
  const Shape& s = weights.shape();
  int64_t B = 1, H = 1, T, N;
  if (s.size() == 4) { B = s[0]; H = s[1]; T = s[2]; N = s[3]; }
  else if (s.size() == 3) { H = s[0]; T = s[1]; N = s[2]; }
  else if (s.size() == 2) { T = s[0]; N = s[1]; }
  else throw ShapeError("recorder '" + site.name + "' (" + site.mechanism + "): weights must be [B, H, T, N], [H, T, N] or [T, N], got " + weights.str());
  if (lse.defined() && lse.numel() != B * H * T)
    throw ShapeError("recorder '" + site.name + "': lse " + lse.str() + " does not match weights " + weights.str());

  const std::vector<float> w = weights.to_vector();  // [B, H, T, N] row-major
  for (float v : w)
    if (!std::isfinite(v) || v < 0)
      throw ValueError("recorder '" + site.name + "' (" + site.mechanism + "): weights " + weights.str() +
                       " hold a " + (std::isfinite(v) ? "negative" : "non-finite") + " value");

  Record r;
  r.site = site;
  r.B = B; r.H = H; r.T = T; r.N = N;
  r.keep = keep_;
  r.extras = std::move(extras);
  const int64_t rows = B * H * T;
  r.entropy.resize(rows);
  r.max_weight.resize(rows);
  r.argmax.resize(rows);
  for (int64_t i = 0; i < rows; ++i) row_stats(w.data() + i * N, N, &r.entropy[i], &r.max_weight[i], &r.argmax[i]);
  if (keep_.mode == io::TraceKeep::dense) {
    r.dense = w;
  } else if (keep_.mode == io::TraceKeep::topk) {
    alloc(r);
    for (int64_t i = 0; i < rows; ++i)
      row_topk(w.data() + i * N, N, keep_.k, r.topk_index.data() + i * keep_.k, r.topk_weight.data() + i * keep_.k);
  }
  if (lse.defined()) r.lse = lse.to_vector();
  std::lock_guard lock(mu_);
  records_.push_back(std::move(r));
}

Record& Recorder::open(const Site& site, int64_t B, int64_t H, int64_t T, int64_t N) {
  if (B < 1 || H < 1 || T < 0 || N < 0)
    throw ShapeError("recorder '" + site.name + "': bad record shape " + dims_str(B, H, T, N));
  Record r;
  r.site = site;
  r.B = B; r.H = H; r.T = T; r.N = N;
  r.keep = keep_;
  alloc(r);
  std::lock_guard lock(mu_);
  records_.push_back(std::move(r));
  return records_.back();
}

void Recorder::finish(Record& r) {
  const int64_t rows = r.B * r.H * r.T;
  if (r.keep.mode == io::TraceKeep::dense && static_cast<int64_t>(r.entropy.size()) != rows) {
    r.entropy.resize(rows); r.max_weight.resize(rows); r.argmax.resize(rows);
    for (int64_t i = 0; i < rows; ++i)
      row_stats(r.dense.data() + i * r.N, r.N, &r.entropy[i], &r.max_weight[i], &r.argmax[i]);
  }
  if (r.keep.mode == io::TraceKeep::topk && static_cast<int64_t>(r.max_weight.size()) != rows) {
    // Only the kept weights are known: max and argmax are exact, entropy is over the kept part.
    const int k = r.keep.k;
    r.entropy.resize(rows); r.max_weight.resize(rows); r.argmax.resize(rows);
    for (int64_t i = 0; i < rows; ++i) {
      float h = 0; int32_t dummy;
      row_stats(r.topk_weight.data() + i * k, k, &h, &r.max_weight[i], &dummy);
      r.entropy[i] = h;
      r.argmax[i] = r.topk_index[i * k];
    }
  }
}

void Recorder::clear() {
  std::lock_guard lock(mu_);
  records_.clear();
}

void Recorder::set_sequence(io::TraceSequence seq) {
  for (auto& s : sequences_)
    if (s.name == seq.name) { s = std::move(seq); return; }
  sequences_.push_back(std::move(seq));
}

namespace {

// Merges one extra of one call into the trace layer's extra (grown to the union of positions).
void merge_extra(io::TraceLayer::Extra& dst, const Extra& src, int64_t batch, int64_t query_offset,
                 const std::string& site, const std::string& name) {
  std::vector<int64_t> shape = src.shape;
  size_t base = 0;
  if (src.batched) {
    if (shape.empty() || batch >= shape[0])
      throw ConfigError("recorder '" + site + "': extra '" + name + "' has no batch item " + std::to_string(batch));
    const int64_t per = std::accumulate(shape.begin() + 1, shape.end(), int64_t{1}, std::multiplies<>());
    base = static_cast<size_t>(batch * per);
    shape.erase(shape.begin());
  }
  std::vector<int64_t> want = shape;
  if (src.query_dim >= 0) want[src.query_dim] += query_offset;
  // Grow dst to cover `want` (zero fill), keeping its values at the same multi-indices.
  if (dst.shape.empty() && dst.values.empty()) {
    dst.shape.assign(want.size(), 0);
  }
  if (dst.shape.size() != want.size())
    throw ConfigError("recorder '" + site + "': extra '" + name + "' changes rank between calls");
  std::vector<int64_t> grown = dst.shape;
  bool grow = false;
  for (size_t d = 0; d < want.size(); ++d)
    if (want[d] > grown[d]) { grown[d] = want[d]; grow = true; }
  auto numel = [](const std::vector<int64_t>& s) {
    return std::accumulate(s.begin(), s.end(), int64_t{1}, std::multiplies<>());
  };
  auto copy_into = [](const std::vector<int64_t>& from_shape, const float* from, const std::vector<int64_t>& to_shape,
                      float* to, int qdim, int64_t qoff) {
    const size_t rank = from_shape.size();
    std::vector<int64_t> idx(rank, 0);
    const int64_t n = std::accumulate(from_shape.begin(), from_shape.end(), int64_t{1}, std::multiplies<>());
    for (int64_t e = 0; e < n; ++e) {
      int64_t lin = 0;
      for (size_t d = 0; d < rank; ++d) lin = lin * to_shape[d] + idx[d] + (static_cast<int>(d) == qdim ? qoff : 0);
      to[lin] = from[e];
      for (int d = static_cast<int>(rank) - 1; d >= 0; --d) {
        if (++idx[d] < from_shape[d]) break;
        idx[d] = 0;
      }
    }
  };
  if (grow) {
    std::vector<float> nv(numel(grown), 0.f);
    if (!dst.values.empty()) copy_into(dst.shape, dst.values.data(), grown, nv.data(), -1, 0);
    dst.values = std::move(nv);
    dst.shape = grown;
  }
  copy_into(shape, src.values.data() + base, dst.shape, dst.values.data(), src.query_dim, query_offset);
}

}  // namespace

io::Trace Recorder::to_trace(int64_t batch) const {
  std::lock_guard lock(mu_);
  io::Trace tr;
  tr.sequences = sequences_;
  tr.meta = meta_;
  tr.meta["capture"] = keep_.str();
  std::vector<std::string> order;
  std::map<std::string, std::vector<const Record*>> by_name;
  for (const auto& r : records_) {
    if (batch < 0 || batch >= r.B)
      throw ConfigError("recorder: batch item " + std::to_string(batch) + " out of range for '" + r.site.name +
                        "' with batch " + std::to_string(r.B));
    auto& v = by_name[r.site.name];
    if (v.empty()) order.push_back(r.site.name);
    v.push_back(&r);
  }
  for (const auto& name : order) {
    const auto& calls = by_name[name];
    const Record& first = *calls.front();
    io::TraceLayer L;
    L.name = name;
    L.query_seq = first.site.query_seq;
    L.key_seq = first.site.key_seq;
    L.mechanism = first.site.mechanism;
    L.heads = first.H;
    L.keep = first.keep.mode;
    L.k = first.keep.mode == io::TraceKeep::topk ? first.keep.k : 0;
    auto seq_len = [&](const std::string& seq) -> int64_t {
      for (const auto& s : sequences_)
        if (s.name == seq) return static_cast<int64_t>(s.tokens.size());
      return 0;
    };
    L.queries = seq_len(L.query_seq);
    L.keys = seq_len(L.key_seq);
    for (const Record* r : calls) {
      if (r->H != first.H || r->keep.mode != first.keep.mode || r->keep.k != first.keep.k)
        throw ConfigError("recorder: calls named '" + name + "' disagree on heads or keep mode");
      L.queries = std::max(L.queries, r->site.query_offset + r->T);
      L.keys = std::max(L.keys, r->site.key_offset + r->N);
    }
    const int64_t HQ = L.heads * L.queries, k = L.k;
    L.entropy.assign(HQ, 0.f);
    L.max_weight.assign(HQ, 0.f);
    L.argmax.assign(HQ, -1);
    bool has_lse = true;
    for (const Record* r : calls) has_lse = has_lse && !r->lse.empty();
    if (has_lse) L.lse.assign(HQ, 0.f);
    if (L.keep == io::TraceKeep::dense) L.weights.assign(HQ * L.keys, 0.f);
    if (L.keep == io::TraceKeep::topk) { L.topk_index.assign(HQ * k, -1); L.topk_weight.assign(HQ * k, 0.f); }
    for (const Record* r : calls) {
      const int64_t qo = r->site.query_offset, ko = r->site.key_offset;
      for (int64_t h = 0; h < r->H; ++h)
        for (int64_t t = 0; t < r->T; ++t) {
          const int64_t src = (batch * r->H + h) * r->T + t;  // row in the record
          const int64_t dst = h * L.queries + qo + t;         // row in the layer
          L.entropy[dst] = r->entropy[src];
          L.max_weight[dst] = r->max_weight[src];
          L.argmax[dst] = r->argmax[src] < 0 ? -1 : r->argmax[src] + static_cast<int32_t>(ko);
          if (has_lse) L.lse[dst] = r->lse[src];
          if (L.keep == io::TraceKeep::dense)
            std::copy_n(r->dense.data() + src * r->N, r->N, L.weights.data() + dst * L.keys + ko);
          if (L.keep == io::TraceKeep::topk)
            for (int64_t s = 0; s < k; ++s) {
              const int32_t j = r->topk_index[src * k + s];
              L.topk_index[dst * k + s] = j < 0 ? -1 : j + static_cast<int32_t>(ko);
              L.topk_weight[dst * k + s] = r->topk_weight[src * k + s];
            }
        }
      for (const auto& [ename, e] : r->extras) merge_extra(L.extras[ename], e, batch, qo, name, ename);
    }
    tr.meta["kind." + name] = weight_kind_name(first.site.kind);
    tr.layers.push_back(std::move(L));
  }
  // Sequences no one provided: position labels, as long as the longest side that uses them.
  std::map<std::string, int64_t> need;
  for (const auto& L : tr.layers) {
    need[L.query_seq] = std::max(need[L.query_seq], L.queries);
    need[L.key_seq] = std::max(need[L.key_seq], L.keys);
  }
  for (const auto& [seq, n] : need) {
    if (tr.find_sequence(seq)) continue;
    io::TraceSequence s;
    s.name = seq;
    for (int64_t i = 0; i < n; ++i) s.tokens.push_back(std::to_string(i));
    tr.sequences.push_back(std::move(s));
  }
  // A synthesized sequence may be longer than a layer that uses it: extend the layer.
  for (auto& L : tr.layers) {
    const int64_t q = static_cast<int64_t>(tr.find_sequence(L.query_seq)->tokens.size());
    const int64_t n = static_cast<int64_t>(tr.find_sequence(L.key_seq)->tokens.size());
    if (q == L.queries && n == L.keys) continue;
    if (q < L.queries || n < L.keys) continue;  // the provided tokens are too few: validation names it
    io::TraceLayer G = L;
    G.queries = q;
    G.keys = n;
    const int64_t HQ = G.heads * q, k = G.k;
    G.entropy.assign(HQ, 0.f); G.max_weight.assign(HQ, 0.f); G.argmax.assign(HQ, -1);
    if (!L.lse.empty()) G.lse.assign(HQ, 0.f);
    if (G.keep == io::TraceKeep::dense) G.weights.assign(HQ * n, 0.f);
    if (G.keep == io::TraceKeep::topk) { G.topk_index.assign(HQ * k, -1); G.topk_weight.assign(HQ * k, 0.f); }
    for (int64_t h = 0; h < L.heads; ++h)
      for (int64_t i = 0; i < L.queries; ++i) {
        const int64_t src = h * L.queries + i, dst = h * q + i;
        G.entropy[dst] = L.entropy[src]; G.max_weight[dst] = L.max_weight[src]; G.argmax[dst] = L.argmax[src];
        if (!L.lse.empty()) G.lse[dst] = L.lse[src];
        if (G.keep == io::TraceKeep::dense) std::copy_n(L.weights.data() + src * L.keys, L.keys, G.weights.data() + dst * n);
        if (G.keep == io::TraceKeep::topk) {
          std::copy_n(L.topk_index.data() + src * k, k, G.topk_index.data() + dst * k);
          std::copy_n(L.topk_weight.data() + src * k, k, G.topk_weight.data() + dst * k);
        }
      }
    // The neuron view's vectors [H, rows, D] grow with their side (zero rows: not recorded).
    for (auto [ename, rows] : {std::pair{"query", q}, std::pair{"key", n}}) {
      auto it = G.extras.find(ename);
      if (it == G.extras.end() || it->second.shape.size() != 3 || it->second.shape[1] >= rows) continue;
      auto& e = it->second;
      const int64_t H = e.shape[0], R = e.shape[1], D = e.shape[2];
      std::vector<float> v(static_cast<size_t>(H * rows * D), 0.f);
      for (int64_t h = 0; h < H; ++h) std::copy_n(e.values.data() + h * R * D, R * D, v.data() + h * rows * D);
      e.values = std::move(v);
      e.shape[1] = rows;
    }
    L = std::move(G);
  }
  return tr;
}

void Recorder::write(const std::string& path, int64_t batch, bool f16_weights) const {
  io::TraceWriteOptions opt;
  opt.f16_weights = f16_weights;
  io::write_trace(to_trace(batch), path, opt);
}

}  // namespace attnscope::attention
