// Head statistics: how each head of each layer allocates its attention, measured over one
// sequence or a whole corpus, and the role that best describes it (analyze's core).
//
// Measures (per head; means over the query rows that see more than one key — a causal row 0 has
// no choice and would skew every measure):
//   entropy, entropy_norm      nats, and divided by log(visible keys)
//   max_weight                 the largest weight of the row
//   topk_mass                  share of the row's mass in its kTopMass largest weights
//   distance                   weight-averaged |q - k| (self-attention)
//   first_mass                 mass on key 0 (the attention sink: BOS / [CLS] / first token)
//   prev_mass                  mass on key q - 1 (self-attention)
//   dup_mass                   mass on earlier keys holding the query's token (rows that have one)
//   induction_mass             mass on the keys right after earlier occurrences of the query's
//                              token (Olsson et al. 2022; rows that have one)
//   offset_share[d]            share of rows whose argmax sits at relative offset q - k = d
//   rare_mass, rare_lift       with token counts (a corpus): mass on the rarest visible keys, and
//                              that mass over the rarest keys' share of the visible keys (1 for
//                              uniform attention); rows whose visible keys all have one count skip
// Roles, the first that applies (thresholds in head_stats.cpp and docs/FOCUS.md): induction
// (induction_mass >= 0.4), duplicate-token (dup_mass >= 0.4), previous-token (prev_mass >= 0.5),
// positional-d / positional+d (one offset takes >= 90% of the argmaxes, Voita et al. 2019),
// self, rare-token (rare_mass >= 0.4 and rare_lift >= 2, Voita et al. 2019's rare-words head), sink (first_mass >= 0.5), focused (max_weight >= 0.7), broad (entropy_norm >= 0.8), mixed. Cross-attention layers get the shape measures and focused/broad/mixed.
//
// Exactly mergeable: every sum is fixed-point (int64 in units of 2^-32), so adding the partial
// sums of shards in any order gives the same bits as one run over all sequences (analyze
// --shard / analyze merge).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "attnscope/io/trace.h"

namespace attnscope::focus {

inline constexpr int kTopMass = 3;    // topk_mass counts the 3 largest weights
inline constexpr int kMaxOffset = 8;  // offsets -8..8 are told apart; others are "far"

// Fixed-point sum (units of 2^-32): associative, so merges are exact.
struct FixedSum {
  int64_t units = 0;
  void add(double v);
  double value() const;
};

// The sums of one head.
struct HeadSums {
  int64_t rows = 0;  // rows measured (visible keys > 1)
  FixedSum entropy, entropy_norm, max_weight, topk_mass, distance, first_mass, prev_mass;
  int64_t dup_rows = 0, induction_rows = 0;
  FixedSum dup_mass, induction_mass;
  int64_t rare_rows = 0;
  FixedSum rare_mass, rare_chance;  // chance: the rarest keys' share of the visible keys
  std::array<int64_t, 2 * kMaxOffset + 2> offsets{};  // argmax at q - k = d -> [d + kMaxOffset]; last: far
  bool self = true;  // every contribution came from self-attention
  void merge(const HeadSums& o);
};

// The sums of one layer (all heads), named as in the trace.
struct LayerSums {
  std::string name, query_seq, key_seq;
  std::vector<HeadSums> heads;
};

// How often each token (as a trace names it) occurs in the corpus: the rarity behind rare_mass.
using TokenCounts = std::unordered_map<std::string, int64_t>;

// The corpus-level accumulator.
struct FocusSums {
  int64_t sequences = 0;
  std::vector<LayerSums> layers;
  // Adds one trace (one sequence or sentence pair). Layers match by name and head count; a trace
  // with other layers than the first one added is a ConfigError naming the layer. Stats-only
  // layers add entropy, max_weight and argmax offsets only. ValueError for NaN or negative weights.
  // counts (may be null): token counts for rare_mass; tokens missing from it count 0.
  void add(const io::Trace& trace, const TokenCounts* counts = nullptr);
  void merge(const FocusSums& o);  // ConfigError when the layers differ
};

// A head's means and its role.
struct HeadReport {
  int64_t rows = 0;
  double entropy = 0, entropy_norm = 0, max_weight = 0, topk_mass = 0, distance = 0, first_mass = 0,
         prev_mass = 0, dup_mass = 0, induction_mass = 0, rare_mass = 0, rare_lift = 0;
  bool has_dup = false, has_induction = false, has_rare = false;
  int best_offset = 0;          // the most frequent argmax offset q - k
  double best_offset_share = 0;  // its share of rows
  std::string role;             // "induction", "duplicate-token", "previous-token", "positional+2", ...
  double role_score = 0;        // the measure that gave the role
};
HeadReport head_report(const HeadSums& s);

// JSON: {"sequences": n, "layers": [{"name", "query_seq", "key_seq", "heads": [{means..., "role",
// "role_score"}], "sink_rate"}], "sums": {...}} — "sums" makes every report a mergeable partial.
nlohmann::json to_json(const FocusSums& s);
// Reads the "sums" of a report (ConfigError naming what is missing or malformed).
FocusSums sums_from_json(const nlohmann::json& j);

}  // namespace attnscope::focus
