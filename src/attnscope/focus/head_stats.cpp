#include "attnscope/focus/head_stats.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/focus/topk.h"
#include "attnscope/focus/trace_row.h"

namespace attnscope::focus {

namespace {

constexpr double kUnit = 4294967296.0;  // 2^32

// Role thresholds (docs/FOCUS.md).
constexpr double kInduction = 0.4;   // mean mass on the token after an earlier occurrence
constexpr double kDuplicate = 0.4;   // mean mass on earlier copies of the query's token
constexpr double kPrevious = 0.5;    // mean mass on q - 1 (TransformerLens' previous-token score)
constexpr double kPositional = 0.9;  // share of argmaxes at one offset (Voita et al. 2019)
constexpr double kRare = 0.4;        // mean mass on the rarest visible keys ...
constexpr double kRareLift = 2.0;    // ... and at least twice what uniform attention puts there
constexpr double kSink = 0.5;        // mean mass on the first token
constexpr double kFocused = 0.7;     // mean max weight
constexpr double kBroad = 0.8;       // mean normalized entropy
constexpr double kSinkRate = 0.3;    // Gu et al. 2025: a head is a sink head above 0.3 mean mass

const io::TraceSequence* sequence(const io::Trace& t, const std::string& name) {
  for (const auto& s : t.sequences)
    if (s.name == name) return &s;
  return nullptr;
}

// One query row of one head: its n candidate weights w, at keys ascending (keys == nullptr: the
// dense row, key i at w[i]) among N keys. A top-k row is its kept entries only, so its cost is
// O(K) and not O(N): a 250 KB top-k trace over a 2^20-key grid took seconds per thousand rows
// scattered into zeros (#17 item 4). Summing the same nonzero weights in the same key order gives
// the dense row's sums bit for bit (zeros add nothing).
struct RowView {
  const float* w;
  const int64_t* keys;
  int64_t n, N;
  int64_t key(int64_t i) const { return keys ? keys[i] : i; }
  float at(int64_t k) const {
    if (!keys) return w[k];
    const int64_t* it = std::lower_bound(keys, keys + n, k);
    return it != keys + n && *it == k ? w[it - keys] : 0.0f;
  }
};

// One query row of one head, measured into s.
void add_row_measures(HeadSums& s, const RowView& r, int64_t q, bool self, const std::vector<std::string>* tokens,
                      const std::vector<int64_t>* counts) {
  const float* w = r.w;
  double sum = 0;
  int64_t visible = 0;
  for (int64_t i = 0; i < r.n; ++i) {
    if (!(w[i] >= 0) || !std::isfinite(w[i])) throw ValueError("analyze: a weight is negative or not a number");
    if (w[i] > 0) {
      sum += w[i];
      ++visible;
    }
  }
  // Rows with one visible key (causal row 0) or none (padding) tell nothing about focus.
  if (visible <= 1 || !(sum > 0)) return;
  ++s.rows;
  double h = 0, mx = 0, dist = 0;
  for (int64_t i = 0; i < r.n; ++i) {
    const double p = w[i] / sum;
    if (p > 0) h -= p * std::log(p);
    mx = std::max(mx, p);
    if (self) dist += p * std::abs(static_cast<double>(q - r.key(i)));
  }
  s.entropy.add(h);
  s.entropy_norm.add(h / std::log(static_cast<double>(visible)));
  s.max_weight.add(mx);
  int32_t idx[kTopMass];
  float top[kTopMass];
  const int64_t kept = row_topk(w, r.n, kTopMass, idx, top);
  double tm = 0;
  for (int64_t i = 0; i < kept; ++i) tm += top[i];
  s.topk_mass.add(tm / sum);
  s.first_mass.add(r.at(0) / sum);
  if (!self) {
    s.self = false;
    return;
  }
  s.distance.add(dist);
  if (q >= 1 && q - 1 < r.N) s.prev_mass.add(r.at(q - 1) / sum);
  const int64_t d = q - r.key(row_argmax(w, r.n));  // a positive weight exists (visible > 1)
  s.offsets[std::abs(d) <= kMaxOffset ? d + kMaxOffset : 2 * kMaxOffset + 1]++;
  if (!tokens || q >= static_cast<int64_t>(tokens->size())) return;
  if (counts && static_cast<int64_t>(counts->size()) >= r.N) {
    // Rare-token: mass on the visible keys of the lowest corpus count.
    int64_t lo = INT64_MAX, hi = -1, n_lo = 0;
    for (int64_t i = 0; i < r.n; ++i)
      if (w[i] > 0) lo = std::min(lo, (*counts)[r.key(i)]), hi = std::max(hi, (*counts)[r.key(i)]);
    if (hi > lo) {
      double m = 0;
      for (int64_t i = 0; i < r.n; ++i)
        if (w[i] > 0 && (*counts)[r.key(i)] == lo) m += w[i], ++n_lo;
      ++s.rare_rows;
      s.rare_mass.add(m / sum);
      s.rare_chance.add(static_cast<double>(n_lo) / static_cast<double>(visible));
    }
  }
  // Duplicate-token and induction targets: earlier positions p < q holding the query's token.
  double dup = 0, ind = 0;
  bool has_dup = false, has_ind = false;
  for (int64_t p = 0; p < q && p < r.N; ++p) {
    if ((*tokens)[p] != (*tokens)[q]) continue;
    has_dup = true;
    dup += r.at(p);
    if (p + 1 < q && p + 1 < r.N) {
      has_ind = true;
      ind += r.at(p + 1);
    }
  }
  if (has_dup) {
    ++s.dup_rows;
    s.dup_mass.add(dup / sum);
  }
  if (has_ind) {
    ++s.induction_rows;
    s.induction_mass.add(ind / sum);
  }
}

}  // namespace

void FixedSum::add(double v) { units += static_cast<int64_t>(std::llround(v * kUnit)); }
double FixedSum::value() const { return static_cast<double>(units) / kUnit; }

void HeadSums::merge(const HeadSums& o) {
  rows += o.rows;
  for (auto [a, b] : {std::pair{&entropy, &o.entropy}, {&entropy_norm, &o.entropy_norm}, {&max_weight, &o.max_weight},
                      {&topk_mass, &o.topk_mass}, {&distance, &o.distance}, {&first_mass, &o.first_mass},
                      {&prev_mass, &o.prev_mass}, {&dup_mass, &o.dup_mass}, {&induction_mass, &o.induction_mass},
                      {&rare_mass, &o.rare_mass}, {&rare_chance, &o.rare_chance}})
    a->units += b->units;
  dup_rows += o.dup_rows;
  rare_rows += o.rare_rows;
  induction_rows += o.induction_rows;
  for (size_t i = 0; i < offsets.size(); ++i) offsets[i] += o.offsets[i];
  self = self && o.self;
}

void FocusSums::add(const io::Trace& trace, const TokenCounts* counts) {
  if (trace.layers.empty()) throw ConfigError("analyze: the trace has no attention layers");
  if (layers.empty()) {
    for (const auto& l : trace.layers)
      layers.push_back({l.name, l.query_seq, l.key_seq, std::vector<HeadSums>(static_cast<size_t>(l.heads))});
  }
  if (trace.layers.size() != layers.size())
    throw ConfigError("analyze: a trace has " + std::to_string(trace.layers.size()) + " layers, the first had " +
                      std::to_string(layers.size()));
  std::vector<float> row;                        // a top-k row's weights at `keys`
  std::vector<int64_t> keys;
  std::vector<std::pair<int64_t, float>> entries;
  for (size_t li = 0; li < layers.size(); ++li) {
    const io::TraceLayer& L = trace.layers[li];
    LayerSums& S = layers[li];
    if (L.name != S.name || static_cast<size_t>(L.heads) != S.heads.size())
      throw ConfigError("analyze: layer " + std::to_string(li) + " is '" + L.name + "' with " + std::to_string(L.heads) +
                        " heads, the first trace had '" + S.name + "' with " + std::to_string(S.heads.size()));
    const bool self = L.query_seq == L.key_seq;
    const io::TraceSequence* seq = self ? sequence(trace, L.query_seq) : nullptr;
    const std::vector<std::string>* tokens = seq ? &seq->tokens : nullptr;
    std::vector<int64_t> key_counts;  // the corpus count of each key's token
    if (counts && tokens) {
      for (const auto& t : *tokens) {
        const auto it = counts->find(t);
        key_counts.push_back(it == counts->end() ? 0 : it->second);
      }
    }
    if (L.keep == io::TraceKeep::stats) {
      // Only the row statistics: entropy, max weight and the argmax offset.
      for (int64_t h = 0; h < L.heads; ++h)
        for (int64_t q = 0; q < L.queries; ++q) {
          const size_t r = static_cast<size_t>(h * L.queries + q);
          if (r >= L.argmax.size() || L.argmax[r] < 0) continue;
          HeadSums& s = S.heads[h];
          ++s.rows;
          if (r < L.entropy.size()) s.entropy.add(L.entropy[r]);
          if (r < L.max_weight.size()) s.max_weight.add(L.max_weight[r]);
          if (!self) { s.self = false; continue; }
          const int64_t d = q - L.argmax[r];
          s.offsets[std::abs(d) <= kMaxOffset ? d + kMaxOffset : 2 * kMaxOffset + 1]++;
        }
      continue;
    }
    const std::vector<int64_t>* kc = key_counts.empty() ? nullptr : &key_counts;
    for (int64_t h = 0; h < L.heads; ++h)
      for (int64_t q = 0; q < L.queries; ++q) {
        const int64_t r = h * L.queries + q;
        if (L.keep == io::TraceKeep::dense) {
          add_row_measures(S.heads[h], RowView{L.weights.data() + r * L.keys, nullptr, L.keys, L.keys}, q, self, tokens, kc);
          continue;
        }
        // The kept entries by key (-1 pads a short row); a key listed twice adds up, as add_row.
        entries.clear();
        for (int64_t j = 0; j < L.k; ++j)
          if (const int32_t k = L.topk_index[static_cast<size_t>(r * L.k + j)]; k >= 0 && k < L.keys)
            entries.push_back({k, L.topk_weight[static_cast<size_t>(r * L.k + j)]});
        std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        keys.clear();
        row.clear();
        for (const auto& [k, v] : entries) {
          if (!keys.empty() && keys.back() == k) row.back() += v;
          else {
            keys.push_back(k);
            row.push_back(0.0f + v);
          }
        }
        add_row_measures(S.heads[h], RowView{row.data(), keys.data(), static_cast<int64_t>(row.size()), L.keys}, q, self,
                         tokens, kc);
      }
  }
  ++sequences;
}

void FocusSums::merge(const FocusSums& o) {
  if (o.layers.empty()) return;
  if (layers.empty()) {
    *this = o;
    return;
  }
  if (o.layers.size() != layers.size())
    throw ConfigError("analyze merge: the partials have " + std::to_string(layers.size()) + " and " +
                      std::to_string(o.layers.size()) + " layers");
  for (size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].name != o.layers[i].name || layers[i].heads.size() != o.layers[i].heads.size())
      throw ConfigError("analyze merge: layer " + std::to_string(i) + " is '" + layers[i].name + "' in one partial and '" +
                        o.layers[i].name + "' in another");
    for (size_t h = 0; h < layers[i].heads.size(); ++h) layers[i].heads[h].merge(o.layers[i].heads[h]);
  }
  sequences += o.sequences;
}

HeadReport head_report(const HeadSums& s) {
  HeadReport r;
  r.rows = s.rows;
  if (s.rows == 0) {
    r.role = "none";
    return r;
  }
  const double n = static_cast<double>(s.rows);
  r.entropy = s.entropy.value() / n;
  r.entropy_norm = s.entropy_norm.value() / n;
  r.max_weight = s.max_weight.value() / n;
  r.topk_mass = s.topk_mass.value() / n;
  r.first_mass = s.first_mass.value() / n;
  r.distance = s.distance.value() / n;
  r.prev_mass = s.prev_mass.value() / n;
  r.has_dup = s.dup_rows > 0;
  r.has_induction = s.induction_rows > 0;
  if (r.has_dup) r.dup_mass = s.dup_mass.value() / static_cast<double>(s.dup_rows);
  if (r.has_induction) r.induction_mass = s.induction_mass.value() / static_cast<double>(s.induction_rows);
  r.has_rare = s.rare_rows > 0;
  if (r.has_rare) {
    r.rare_mass = s.rare_mass.value() / static_cast<double>(s.rare_rows);
    const double chance = s.rare_chance.value() / static_cast<double>(s.rare_rows);
    r.rare_lift = chance > 0 ? r.rare_mass / chance : 0;
  }
  int64_t counted = 0, best = -1;
  for (size_t i = 0; i < s.offsets.size(); ++i) {
    counted += s.offsets[i];
    if (i + 1 < s.offsets.size() && (best < 0 || s.offsets[i] > s.offsets[best])) best = static_cast<int64_t>(i);
  }
  if (counted > 0) {
    r.best_offset = static_cast<int>(best - kMaxOffset);
    r.best_offset_share = static_cast<double>(s.offsets[best]) / static_cast<double>(counted);
  }
  // The first role whose score passes its threshold, most specific first.
  auto role = [&](const std::string& name, double score) {
    r.role = name;
    r.role_score = score;
  };
  if (s.self && r.has_induction && r.induction_mass >= kInduction) role("induction", r.induction_mass);
  else if (s.self && r.has_dup && r.dup_mass >= kDuplicate) role("duplicate-token", r.dup_mass);
  else if (s.self && r.prev_mass >= kPrevious) role("previous-token", r.prev_mass);
  else if (s.self && counted > 0 && r.best_offset_share >= kPositional && r.best_offset != 0)
    role("positional" + std::string(r.best_offset > 0 ? "-" : "+") + std::to_string(std::abs(r.best_offset)),
         r.best_offset_share);
  else if (s.self && counted > 0 && r.best_offset_share >= kPositional) role("self", r.best_offset_share);
  else if (s.self && r.has_rare && r.rare_mass >= kRare && r.rare_lift >= kRareLift) role("rare-token", r.rare_mass);
  else if (r.first_mass >= kSink) role("sink", r.first_mass);
  else if (r.max_weight >= kFocused) role("focused", r.max_weight);
  else if (r.entropy_norm >= kBroad) role("broad", r.entropy_norm);
  else role("mixed", r.max_weight);
  return r;
}

namespace {
nlohmann::json sums_json(const HeadSums& s) {
  return {{"rows", s.rows},
          {"entropy", s.entropy.units},
          {"entropy_norm", s.entropy_norm.units},
          {"max_weight", s.max_weight.units},
          {"topk_mass", s.topk_mass.units},
          {"distance", s.distance.units},
          {"first_mass", s.first_mass.units},
          {"prev_mass", s.prev_mass.units},
          {"dup_rows", s.dup_rows},
          {"dup_mass", s.dup_mass.units},
          {"induction_rows", s.induction_rows},
          {"induction_mass", s.induction_mass.units},
          {"rare_rows", s.rare_rows},
          {"rare_mass", s.rare_mass.units},
          {"rare_chance", s.rare_chance.units},
          {"offsets", s.offsets},
          {"self", s.self}};
}
}  // namespace

nlohmann::json to_json(const FocusSums& s) {
  nlohmann::json layers = nlohmann::json::array(), sums = nlohmann::json::array();
  for (const auto& L : s.layers) {
    nlohmann::json heads = nlohmann::json::array(), hs = nlohmann::json::array();
    int64_t sink_heads = 0, measured = 0;
    for (const auto& h : L.heads) {
      const HeadReport r = head_report(h);
      nlohmann::json j = {{"rows", r.rows},
                          {"role", r.role},
                          {"role_score", r.role_score},
                          {"entropy", r.entropy},
                          {"entropy_norm", r.entropy_norm},
                          {"max_weight", r.max_weight},
                          {"topk_mass", r.topk_mass},
                          {"first_mass", r.first_mass}};
      if (h.self) {
        j["distance"] = r.distance;
        j["prev_mass"] = r.prev_mass;
        j["best_offset"] = r.best_offset;
        j["best_offset_share"] = r.best_offset_share;
        j["dup_mass"] = r.has_dup ? nlohmann::json(r.dup_mass) : nlohmann::json(nullptr);
        j["induction_mass"] = r.has_induction ? nlohmann::json(r.induction_mass) : nlohmann::json(nullptr);
        if (r.has_rare) {  // only with token counts (analyze --corpus of an imported model)
          j["rare_mass"] = r.rare_mass;
          j["rare_lift"] = r.rare_lift;
        }
      }
      heads.push_back(std::move(j));
      hs.push_back(sums_json(h));
      if (r.rows > 0) {
        ++measured;
        if (r.first_mass > kSinkRate) ++sink_heads;
      }
    }
    layers.push_back({{"name", L.name},
                      {"query_seq", L.query_seq},
                      {"key_seq", L.key_seq},
                      {"sink_rate", measured ? static_cast<double>(sink_heads) / static_cast<double>(measured) : 0.0},
                      {"heads", std::move(heads)}});
    sums.push_back({{"name", L.name}, {"query_seq", L.query_seq}, {"key_seq", L.key_seq}, {"heads", std::move(hs)}});
  }
  return {{"sequences_analyzed", s.sequences}, {"layers", std::move(layers)}, {"sums", {{"sequences", s.sequences}, {"layers", std::move(sums)}}}};
}

FocusSums sums_from_json(const nlohmann::json& j) {
  try {
    const nlohmann::json& S = j.at("sums");
    FocusSums s;
    s.sequences = S.at("sequences").get<int64_t>();
    for (const auto& L : S.at("layers")) {
      LayerSums ls{L.at("name").get<std::string>(), L.at("query_seq").get<std::string>(), L.at("key_seq").get<std::string>(), {}};
      for (const auto& h : L.at("heads")) {
        HeadSums hs;
        hs.rows = h.at("rows").get<int64_t>();
        for (auto [name, f] : {std::pair{"entropy", &hs.entropy}, {"entropy_norm", &hs.entropy_norm},
                               {"max_weight", &hs.max_weight}, {"topk_mass", &hs.topk_mass}, {"distance", &hs.distance},
                               {"first_mass", &hs.first_mass}, {"prev_mass", &hs.prev_mass}, {"dup_mass", &hs.dup_mass},
                               {"induction_mass", &hs.induction_mass}})
          f->units = h.at(name).get<int64_t>();
        hs.dup_rows = h.at("dup_rows").get<int64_t>();
        hs.induction_rows = h.at("induction_rows").get<int64_t>();
        // Partials written before the rare-token measure have none.
        hs.rare_rows = h.value("rare_rows", int64_t{0});
        hs.rare_mass.units = h.value("rare_mass", int64_t{0});
        hs.rare_chance.units = h.value("rare_chance", int64_t{0});
        hs.offsets = h.at("offsets").get<decltype(hs.offsets)>();
        hs.self = h.at("self").get<bool>();
        ls.heads.push_back(hs);
      }
      s.layers.push_back(std::move(ls));
    }
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(std::string("analyze merge: not an analyze report with sums (") + e.what() + ")");
  }
}

}  // namespace attnscope::focus
