#include "attnscope/io/trace_io.h"
#include "attnscope/io/json_parse.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"

namespace attnscope::io {

using nlohmann::json;

namespace {

const char* keep_name(TraceKeep k) {
  switch (k) {
    case TraceKeep::dense: return "dense";
    case TraceKeep::topk: return "topk";
    case TraceKeep::stats: return "stats";
  }
  return "dense";
}

// Product of non-negative sizes; nullopt on overflow past 2^62 or a negative size.
std::optional<uint64_t> product(std::initializer_list<int64_t> dims) {
  uint64_t n = 1;
  for (int64_t d : dims)
    if (d < 0 || __builtin_mul_overflow(n, static_cast<uint64_t>(d), &n) || n > (uint64_t{1} << 62)) return std::nullopt;
  return n;
}

void check_size(const std::string& where, const char* field, size_t have, std::optional<uint64_t> want,
                const std::string& shape) {
  if (!want) throw ShapeError(where + ": " + field + " shape " + shape + " is too large");
  if (have != *want)
    throw ShapeError(where + ": " + field + " holds " + std::to_string(have) + " values but " + shape + " needs " +
                     std::to_string(*want));
}

void check_finite(const std::string& where, const char* field, const std::vector<float>& v, bool allow_neg_inf = false) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (std::isfinite(v[i]) || (allow_neg_inf && std::isinf(v[i]) && v[i] < 0)) continue;
    throw FormatError(where + ": " + field + "[" + std::to_string(i) + "] is " + (std::isnan(v[i]) ? "NaN" : "infinite") +
                      " (a fully masked row should hold zeros)");
  }
}

// Attention weights are a distribution: finite and non-negative. Signed scores (attributions,
// logits) are not weights; every verb refuses them here, at the one validation, alike.
void check_weights(const std::string& where, const char* field, const std::vector<float>& v) {
  check_finite(where, field, v);
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] < 0)
      throw FormatError(where + ": " + field + "[" + std::to_string(i) + "] = " + std::to_string(v[i]) +
                        " is negative (attention weights are >= 0; signed scores are not a trace's weights)");
}

void check_layer(const Trace& t, const TraceLayer& l, const std::string& where) {
  const TraceSequence* qs = t.find_sequence(l.query_seq);
  const TraceSequence* ks = t.find_sequence(l.key_seq);
  if (!qs) throw FormatError(where + ": query sequence '" + l.query_seq + "' does not exist");
  if (!ks) throw FormatError(where + ": key sequence '" + l.key_seq + "' does not exist");
  if (l.heads < 1) throw ShapeError(where + ": heads must be >= 1, got " + std::to_string(l.heads));
  if (l.queries != static_cast<int64_t>(qs->tokens.size()))
    throw ShapeError(where + ": " + std::to_string(l.queries) + " queries but sequence '" + qs->name + "' has " +
                     std::to_string(qs->tokens.size()) + " tokens");
  if (l.keys != static_cast<int64_t>(ks->tokens.size()))
    throw ShapeError(where + ": " + std::to_string(l.keys) + " keys but sequence '" + ks->name + "' has " +
                     std::to_string(ks->tokens.size()) + " tokens");
  const std::string hq = "[" + std::to_string(l.heads) + ", " + std::to_string(l.queries);
  const auto rows = product({l.heads, l.queries});
  switch (l.keep) {
    case TraceKeep::dense:
      check_size(where, "weights", l.weights.size(), product({l.heads, l.queries, l.keys}),
                 hq + ", " + std::to_string(l.keys) + "]");
      check_weights(where, "weights", l.weights);
      break;
    case TraceKeep::topk: {
      if (l.k < 1 || (l.keys > 0 && l.k > l.keys))
        throw ShapeError(where + ": top-k k = " + std::to_string(l.k) + " must be in [1, keys = " +
                         std::to_string(l.keys) + "]");
      const std::string shape = hq + ", " + std::to_string(l.k) + "]";
      check_size(where, "topk_index", l.topk_index.size(), product({l.heads, l.queries, l.k}), shape);
      check_size(where, "topk_weight", l.topk_weight.size(), product({l.heads, l.queries, l.k}), shape);
      for (size_t i = 0; i < l.topk_index.size(); ++i)
        if (l.topk_index[i] < -1 || l.topk_index[i] >= l.keys)
          throw FormatError(where + ": topk_index[" + std::to_string(i) + "] = " + std::to_string(l.topk_index[i]) +
                            " is outside [-1, " + std::to_string(l.keys) + ")");
      check_weights(where, "topk_weight", l.topk_weight);
      break;
    }
    case TraceKeep::stats:
      if (l.lse.empty() && l.entropy.empty() && l.max_weight.empty() && l.argmax.empty() && rows.value_or(1) > 0)
        throw FormatError(where + ": keep is 'stats' but no statistics are present");
      break;
  }
  const std::string shape = hq + "]";
  if (!l.lse.empty()) check_size(where, "lse", l.lse.size(), rows, shape);
  if (!l.entropy.empty()) check_size(where, "entropy", l.entropy.size(), rows, shape);
  if (!l.max_weight.empty()) check_size(where, "max_weight", l.max_weight.size(), rows, shape);
  if (!l.argmax.empty()) check_size(where, "argmax", l.argmax.size(), rows, shape);
  check_finite(where, "lse", l.lse, /*allow_neg_inf=*/true);  // -inf: a fully masked row
  check_finite(where, "entropy", l.entropy);
  check_finite(where, "max_weight", l.max_weight);
  for (size_t i = 0; i < l.argmax.size(); ++i)
    if (l.argmax[i] < -1 || l.argmax[i] >= l.keys)
      throw FormatError(where + ": argmax[" + std::to_string(i) + "] = " + std::to_string(l.argmax[i]) +
                        " is outside [-1, " + std::to_string(l.keys) + ")");
  for (const auto& [name, e] : l.extras) {
    if (name.empty()) throw FormatError(where + ": an extra has an empty name");
    std::optional<uint64_t> n = 1;
    for (int64_t d : e.shape)
      if (n) n = product({static_cast<int64_t>(*n), d});
    check_size(where, ("extra '" + name + "'").c_str(), e.values.size(), n, shape_to_string(e.shape));
  }
  // The neuron view's vectors: [heads, queries or keys, D], the same D on both sides.
  const auto q = l.extras.find("query"), k = l.extras.find("key");
  for (auto [it, rows, side] : {std::tuple{q, l.queries, "query"}, std::tuple{k, l.keys, "key"}}) {
    if (it == l.extras.end()) continue;
    const auto& sh = it->second.shape;
    if (sh.size() != 3 || sh[0] != l.heads || sh[1] != rows || sh[2] < 1)
      throw ShapeError(where + ": extra '" + side + "' has shape " + shape_to_string(sh) + ", expected [" +
                       std::to_string(l.heads) + ", " + std::to_string(rows) + ", D]");
    check_finite(where, side, it->second.values);
  }
  if (q != l.extras.end() && k != l.extras.end() && q->second.shape[2] != k->second.shape[2])
    throw ShapeError(where + ": extras 'query' and 'key' differ in width (" + std::to_string(q->second.shape[2]) + " vs " +
                     std::to_string(k->second.shape[2]) + ")");
}

void check_predictions(const Trace& t) {
  const TracePredictions& p = t.predictions;
  if (p.empty()) return;
  const std::string where = "predictions";
  const TraceSequence* s = t.find_sequence(p.seq);
  if (!s) throw FormatError(where + ": sequence '" + p.seq + "' does not exist");
  const int64_t Q = static_cast<int64_t>(s->tokens.size());
  if (p.k < 1) throw ShapeError(where + ": k must be >= 1, got " + std::to_string(p.k));
  const std::string qk = "[" + std::to_string(Q) + ", " + std::to_string(p.k) + "]", q1 = "[" + std::to_string(Q) + "]";
  check_size(where, "labels", p.labels.size(), product({Q, p.k}), qk);
  check_size(where, "index", p.index.size(), product({Q, p.k}), qk);
  check_size(where, "prob", p.prob.size(), product({Q, p.k}), qk);
  check_size(where, "target_prob", p.target_prob.size(), product({Q}), q1);
  check_size(where, "target_rank", p.target_rank.size(), product({Q}), q1);
  check_finite(where, "prob", p.prob);
  check_finite(where, "target_prob", p.target_prob);
  for (float v : p.prob)
    if (v < 0 || v > 1) throw FormatError(where + ": prob " + std::to_string(v) + " is not a probability");
  for (float v : p.target_prob)
    if (v < 0 || v > 1) throw FormatError(where + ": target_prob " + std::to_string(v) + " is not a probability");
  for (int32_t r : p.target_rank)
    if (r < 0) throw FormatError(where + ": target_rank " + std::to_string(r) + " is negative (1 = most probable, 0 = none)");
}

void validate_layers(const Trace& t, const std::vector<TraceLayer>& layers, const std::string& prefix) {
  std::set<std::string> names;
  for (const auto& l : layers) {
    const std::string where = prefix + "layer '" + l.name + "'";
    if (l.name.empty()) throw FormatError(prefix + "a layer has an empty name");
    if (!names.insert(l.name).second) throw FormatError(where + " appears twice");
    check_layer(t, l, where);
  }
}

}  // namespace

void validate_layer(const Trace& t, const TraceLayer& layer) { check_layer(t, layer, "layer '" + layer.name + "'"); }

void validate_trace(const Trace& t) {
  std::set<std::string> names;
  int64_t longest = 0;
  for (const auto& s : t.sequences) {
    if (s.name.empty()) throw FormatError("a sequence has an empty name");
    if (!names.insert(s.name).second) throw FormatError("sequence '" + s.name + "' appears twice");
    if (s.grid_h < 0 || s.grid_w < 0 || ((s.grid_h > 0) != (s.grid_w > 0)))
      throw ShapeError("sequence '" + s.name + "': invalid grid " + std::to_string(s.grid_h) + "x" + std::to_string(s.grid_w));
    if (s.grid_h > 0) {
      const auto cells = product({s.grid_h, s.grid_w});
      if (!cells || *cells != s.tokens.size())
        throw ShapeError("sequence '" + s.name + "': grid " + std::to_string(s.grid_h) + "x" + std::to_string(s.grid_w) +
                         " does not match its " + std::to_string(s.tokens.size()) + " tokens");
    }
    longest = std::max<int64_t>(longest, static_cast<int64_t>(s.tokens.size()));
    if (!s.segments.empty()) {
      check_size("sequence '" + s.name + "'", "segments", s.segments.size(), s.tokens.size(),
                 "[" + std::to_string(s.tokens.size()) + "]");
      for (int32_t g : s.segments)
        if (g < 0 || g > 15)
          throw FormatError("sequence '" + s.name + "': segment id " + std::to_string(g) + " is outside [0, 15]");
    }
  }
  validate_layers(t, t.layers, "");
  int64_t max_queries = t.layers.empty() ? longest : 0;
  for (const auto& l : t.layers) max_queries = std::max(max_queries, l.queries);
  for (size_t s = 0; s < t.steps.size(); ++s)
    if (t.steps[s] < 0 || t.steps[s] >= max_queries)
      throw FormatError("steps[" + std::to_string(s) + "] = " + std::to_string(t.steps[s]) + " is not a query position (0.." +
                        std::to_string(max_queries - 1) + ")");
  if (!t.image.empty() || t.image.height || t.image.width || t.image.channels) {
    const auto& im = t.image;
    if (im.height < 1 || im.width < 1 || (im.channels != 1 && im.channels != 3 && im.channels != 4))
      throw ShapeError("image: shape [" + std::to_string(im.height) + ", " + std::to_string(im.width) + ", " +
                       std::to_string(im.channels) + "] is not an image (channels must be 1, 3 or 4)");
    check_size("image", "pixels", im.pixels.size(), product({im.height, im.width, im.channels}),
               shape_to_string(std::vector<int64_t>{im.height, im.width, im.channels}));
  }
  for (size_t s = 0; s < t.snapshots.size(); ++s)
    validate_layers(t, t.snapshots[s].layers, "snapshot " + std::to_string(s) + " ('" + t.snapshots[s].label + "'): ");
  check_predictions(t);
}

// ------------------------------------------------------------------------------------ writing

namespace {

json layer_json(const TraceLayer& l) {
  json j = {{"name", l.name},       {"query_seq", l.query_seq}, {"key_seq", l.key_seq},
            {"mechanism", l.mechanism}, {"heads", l.heads},     {"queries", l.queries},
            {"keys", l.keys},       {"keep", keep_name(l.keep)}};
  if (l.keep == TraceKeep::topk) j["k"] = l.k;
  if (!l.extras.empty()) {
    json names = json::array();
    for (const auto& [name, e] : l.extras) names.push_back(name);
    j["extras"] = names;
  }
  return j;
}

void add_layer_tensors(SafetensorsWriter& w, const std::string& p, const TraceLayer& l, const TraceWriteOptions& opt) {
  auto add_weights = [&](const std::string& name, std::vector<int64_t> shape, const std::vector<float>& v) {
    if (!opt.f16_weights) return w.add_f32(name, std::move(shape), v);
    // Past half precision's largest value a weight would be stored as infinity, and every reader
    // would then refuse the trace: refuse it here, where float32 is still a choice.
    constexpr float kHalfMax = 65504.f;
    for (const float x : v)
      if (std::fabs(x) > kHalfMax) {
        char value[32];
        std::snprintf(value, sizeof value, "%g", static_cast<double>(x));
        throw ValueError("trace layer '" + l.name + "': weight " + value +
                         " is beyond float16's range (65504); store the weights as float32 (--f32)");
      }
    w.add_f16(name, std::move(shape), v);
  };
  if (l.keep == TraceKeep::dense) add_weights(p + "weights", {l.heads, l.queries, l.keys}, l.weights);
  if (l.keep == TraceKeep::topk) {
    w.add_i32(p + "topk_index", {l.heads, l.queries, l.k}, l.topk_index);
    add_weights(p + "topk_weight", {l.heads, l.queries, l.k}, l.topk_weight);
  }
  const std::vector<int64_t> hq{l.heads, l.queries};
  if (!l.lse.empty()) w.add_f32(p + "lse", hq, l.lse);
  if (!l.entropy.empty()) w.add_f32(p + "entropy", hq, l.entropy);
  if (!l.max_weight.empty()) w.add_f32(p + "max_weight", hq, l.max_weight);
  if (!l.argmax.empty()) w.add_i32(p + "argmax", hq, l.argmax);
  for (const auto& [name, e] : l.extras) w.add_f32(p + "extras." + name, e.shape, e.values);
}

}  // namespace

SafetensorsWriter trace_writer(const Trace& t, const TraceWriteOptions& opt) {
  validate_trace(t);
  SafetensorsWriter w;
  json d = {{"format", "attnscope.trace"}, {"version", kTraceVersion}};
  d["meta"] = t.meta;
  json seqs = json::array();
  for (const auto& s : t.sequences) {
    json js = {{"name", s.name}, {"tokens", s.tokens}};
    if (s.grid_h > 0) js["grid"] = {s.grid_h, s.grid_w};
    if (!s.segments.empty()) js["segments"] = s.segments;
    seqs.push_back(js);
  }
  d["sequences"] = seqs;
  json layers = json::array();
  for (size_t i = 0; i < t.layers.size(); ++i) {
    layers.push_back(layer_json(t.layers[i]));
    add_layer_tensors(w, "layers." + std::to_string(i) + ".", t.layers[i], opt);
  }
  d["layers"] = layers;
  if (!t.steps.empty()) d["steps"] = t.steps;
  if (!t.image_path.empty() || !t.image.empty()) {
    json im = json::object();
    if (!t.image_path.empty()) im["path"] = t.image_path;
    if (!t.image.empty()) {
      im["embedded"] = true;
      w.add_u8("image.pixels", {t.image.height, t.image.width, t.image.channels}, t.image.pixels);
    }
    d["image"] = im;
  }
  if (!t.snapshots.empty()) {
    json snaps = json::array();
    for (size_t s = 0; s < t.snapshots.size(); ++s) {
      const auto& snap = t.snapshots[s];
      json ls = json::array();
      for (size_t i = 0; i < snap.layers.size(); ++i) {
        ls.push_back(layer_json(snap.layers[i]));
        add_layer_tensors(w, "snapshots." + std::to_string(s) + ".layers." + std::to_string(i) + ".", snap.layers[i], opt);
      }
      snaps.push_back({{"label", snap.label}, {"step", snap.step}, {"layers", ls}});
    }
    d["snapshots"] = snaps;
  }
  if (const auto& p = t.predictions; !p.empty()) {
    const int64_t Q = static_cast<int64_t>(p.target_rank.size());
    d["predictions"] = {{"seq", p.seq}, {"k", p.k}, {"labels", p.labels}};
    w.add_i32("predictions.index", {Q, p.k}, p.index);
    w.add_f32("predictions.prob", {Q, p.k}, p.prob);
    w.add_f32("predictions.target_prob", {Q}, p.target_prob);
    w.add_i32("predictions.target_rank", {Q}, p.target_rank);
  }
  w.set_metadata(kTraceMetadataKey, d.dump(-1, ' ', false, json::error_handler_t::replace));
  return w;
}

std::string serialize_trace(const Trace& t, const TraceWriteOptions& opt) { return trace_writer(t, opt).serialize(); }

void write_trace(const Trace& t, const std::string& path, const TraceWriteOptions& opt) {
  trace_writer(t, opt).write(path);
}

// ------------------------------------------------------------------------------------ reading

namespace {

// Typed access to the description with errors that say where the field is.
struct Fields {
  const json& j;
  std::string where;

  const json* opt(const char* key) const {
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
  }
  [[noreturn]] void bad(const char* key, const char* want) const {
    throw FormatError(where + ": '" + key + "' must be " + want);
  }
  std::string str(const char* key, std::optional<std::string> dflt = std::nullopt) const {
    const json* v = opt(key);
    if (!v) {
      if (dflt) return *dflt;
      throw FormatError(where + ": missing '" + key + "'");
    }
    if (!v->is_string()) bad(key, "a string");
    return v->get<std::string>();
  }
  int64_t integer(const char* key, std::optional<int64_t> dflt = std::nullopt) const {
    const json* v = opt(key);
    if (!v) {
      if (dflt) return *dflt;
      throw FormatError(where + ": missing '" + key + "'");
    }
    if (!v->is_number_integer() || (v->is_number_unsigned() && v->get<uint64_t>() > (uint64_t{1} << 62)))
      bad(key, "an integer");
    return v->get<int64_t>();
  }
  const json& array(const char* key) const {
    static const json kEmpty = json::array();
    const json* v = opt(key);
    if (!v) return kEmpty;
    if (!v->is_array()) bad(key, "an array");
    return *v;
  }
};

std::vector<std::string> string_list(const json& a, const std::string& where) {
  std::vector<std::string> out;
  out.reserve(a.size());
  for (const json& s : a) {
    if (!s.is_string()) throw FormatError(where + ": tokens must be strings, found " + std::string(s.type_name()));
    out.push_back(s.get<std::string>());
  }
  return out;
}

class TraceParser {
 public:
  explicit TraceParser(const SafetensorsFile& f) : f_(f) {}

  Trace parse(const json& d) {
    const Fields top{d, "trace"};
    Trace t;
    if (const json* m = top.opt("meta")) {
      if (!m->is_object()) top.bad("meta", "an object of strings");
      for (auto it = m->begin(); it != m->end(); ++it) {
        if (!it.value().is_string()) throw FormatError("trace: meta '" + it.key() + "' must be a string");
        t.meta[it.key()] = it.value().get<std::string>();
      }
    }
    for (const json& js : top.array("sequences")) {
      if (!js.is_object()) throw FormatError("trace: each sequence must be an object");
      TraceSequence s;
      const Fields sf{js, "sequence"};
      s.name = sf.str("name");
      const Fields named{js, "sequence '" + s.name + "'"};
      if (const json* g = named.opt("grid")) {
        if (!g->is_array() || g->size() != 2 || !(*g)[0].is_number_integer() || !(*g)[1].is_number_integer())
          named.bad("grid", "[rows, cols]");
        s.grid_h = (*g)[0].get<int64_t>();
        s.grid_w = (*g)[1].get<int64_t>();
      }
      if (named.opt("tokens")) {
        s.tokens = string_list(named.array("tokens"), named.where);
      } else if (s.grid_h > 0 && s.grid_w > 0 && s.grid_h <= 4096 && s.grid_w <= 4096 && s.grid_h * s.grid_w <= (1 << 20)) {
        for (int64_t r = 0; r < s.grid_h; ++r)  // image regions labelled "r,c" by default
          for (int64_t c = 0; c < s.grid_w; ++c) s.tokens.push_back(std::to_string(r) + "," + std::to_string(c));
      } else {
        throw FormatError(named.where + ": missing 'tokens' (a grid of up to 2^20 cells may omit them)");
      }
      if (const json* g = named.opt("segments")) {
        if (!g->is_array()) named.bad("segments", "a list of integers");
        for (const json& v : *g) {
          if (!v.is_number_integer()) named.bad("segments", "a list of integers");
          s.segments.push_back(static_cast<int32_t>(std::clamp<int64_t>(v.get<int64_t>(), -1, 1 << 20)));
        }
      }
      t.sequences.push_back(std::move(s));
    }
    if (!d.contains("layers")) throw FormatError("trace: missing 'layers'");
    t.layers = parse_layers(top.array("layers"), "layers.");
    for (const json& s : top.array("steps")) {
      if (!s.is_number_integer()) throw FormatError("trace: 'steps' must hold integers");
      t.steps.push_back(s.get<int64_t>());
    }
    if (const json* im = top.opt("image")) {
      if (!im->is_object()) top.bad("image", "an object");
      const Fields imf{*im, "image"};
      t.image_path = imf.str("path", "");
    }
    if (const TensorInfo* px = f_.find("image.pixels")) {
      used_.insert(px->name);
      if (px->dtype != DType::U8 || (px->shape.size() != 3 && px->shape.size() != 2))
        throw FormatError("image.pixels must be U8 [height, width, channels], got " + std::string(dtype_name(px->dtype)) +
                          " " + shape_to_string(px->shape));
      t.image.height = px->shape[0];
      t.image.width = px->shape[1];
      t.image.channels = px->shape.size() == 3 ? px->shape[2] : 1;
      const auto raw = f_.raw(px->name);
      t.image.pixels.assign(raw.begin(), raw.end());
    }
    const json& snaps = top.array("snapshots");
    for (size_t s = 0; s < snaps.size(); ++s) {
      if (!snaps[s].is_object()) throw FormatError("trace: each snapshot must be an object");
      const Fields sf{snaps[s], "snapshot " + std::to_string(s)};
      TraceSnapshot snap;
      snap.label = sf.str("label", "");
      snap.step = sf.integer("step", 0);
      snap.layers = parse_layers(sf.array("layers"), "snapshots." + std::to_string(s) + ".layers.");
      t.snapshots.push_back(std::move(snap));
    }
    if (const json* pj = top.opt("predictions")) {
      if (!pj->is_object()) top.bad("predictions", "an object");
      const Fields pf{*pj, "predictions"};
      auto& p = t.predictions;
      p.seq = pf.str("seq");
      p.k = pf.integer("k");
      const TraceSequence* seq = t.find_sequence(p.seq);
      if (!seq) throw FormatError("predictions: sequence '" + p.seq + "' does not exist");
      if (p.k < 1 || p.k > 4096) throw ShapeError("predictions: k must be in [1, 4096], got " + std::to_string(p.k));
      const int64_t Q = static_cast<int64_t>(seq->tokens.size());
      p.labels = string_list(pf.array("labels"), "predictions");
      p.index = ints("predictions.index", {Q, p.k}, true, "predictions");
      p.prob = floats("predictions.prob", {Q, p.k}, true, "predictions");
      p.target_prob = floats("predictions.target_prob", {Q}, true, "predictions");
      p.target_rank = ints("predictions.target_rank", {Q}, true, "predictions");
    }
    // Tensors in the trace's namespaces that the description does not account for are a sign
    // of a writer bug (a misspelt name): refuse rather than silently drop them.
    for (const auto& ti : f_.tensors()) {
      const bool ours = ti.name.rfind("layers.", 0) == 0 || ti.name.rfind("snapshots.", 0) == 0 ||
                        ti.name.rfind("image.", 0) == 0 || ti.name.rfind("predictions.", 0) == 0;
      if (ours && !used_.count(ti.name))
        throw FormatError("tensor '" + ti.name + "' is not described by the trace metadata");
    }
    validate_trace(t);
    return t;
  }

 private:
  std::vector<TraceLayer> parse_layers(const json& arr, const std::string& prefix) {
    std::vector<TraceLayer> out;
    for (size_t i = 0; i < arr.size(); ++i) {
      if (!arr[i].is_object()) throw FormatError("trace: each layer must be an object");
      out.push_back(parse_layer(arr[i], prefix + std::to_string(i) + "."));
    }
    return out;
  }

  const TensorInfo* tensor(const std::string& name, bool required, const std::string& where) {
    const TensorInfo* ti = f_.find(name);
    if (!ti && required) throw FormatError(where + ": tensor '" + name + "' is missing");
    if (ti) used_.insert(name);
    return ti;
  }
  static void expect_shape(const TensorInfo& ti, std::vector<int64_t> want, const std::string& where) {
    if (ti.shape != want)
      throw ShapeError(where + ": tensor '" + ti.name + "' has shape " + shape_to_string(ti.shape) + ", the metadata says " +
                       shape_to_string(want));
  }
  std::vector<float> floats(const std::string& name, std::vector<int64_t> shape, bool required, const std::string& where) {
    const TensorInfo* ti = tensor(name, required, where);
    if (!ti) return {};
    if (!dtype_is_float(ti->dtype))
      throw FormatError(where + ": tensor '" + name + "' must be a float type, got " + std::string(dtype_name(ti->dtype)));
    expect_shape(*ti, std::move(shape), where);
    return f_.read_f32(name);
  }
  std::vector<int32_t> ints(const std::string& name, std::vector<int64_t> shape, bool required, const std::string& where) {
    const TensorInfo* ti = tensor(name, required, where);
    if (!ti) return {};
    if (dtype_is_float(ti->dtype))
      throw FormatError(where + ": tensor '" + name + "' must be an integer type, got " + std::string(dtype_name(ti->dtype)));
    expect_shape(*ti, std::move(shape), where);
    const std::vector<int64_t> v = f_.read_i64(name);
    std::vector<int32_t> out(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i] < INT32_MIN || v[i] > INT32_MAX)
        throw FormatError(where + ": tensor '" + name + "' value " + std::to_string(v[i]) + " is out of range");
      out[i] = static_cast<int32_t>(v[i]);
    }
    return out;
  }

  TraceLayer parse_layer(const json& j, const std::string& p) {
    TraceLayer l;
    l.name = Fields{j, "layer " + p}.str("name");
    const Fields lf{j, "layer '" + l.name + "'"};
    const std::string& where = lf.where;
    l.query_seq = lf.str("query_seq");
    l.key_seq = lf.str("key_seq");
    l.mechanism = lf.str("mechanism", "");
    l.heads = lf.integer("heads");
    l.queries = lf.integer("queries");
    l.keys = lf.integer("keys");
    if (l.heads < 1 || l.queries < 0 || l.keys < 0)
      throw ShapeError(where + ": heads/queries/keys must be positive (got " + std::to_string(l.heads) + ", " +
                       std::to_string(l.queries) + ", " + std::to_string(l.keys) + ")");
    const std::string keep = lf.str("keep", "dense");
    const std::vector<int64_t> hq{l.heads, l.queries};
    if (keep == "dense") {
      l.keep = TraceKeep::dense;
      l.weights = floats(p + "weights", {l.heads, l.queries, l.keys}, true, where);
    } else if (keep == "topk") {
      l.keep = TraceKeep::topk;
      l.k = lf.integer("k");
      if (l.k < 1) throw ShapeError(where + ": top-k k must be >= 1, got " + std::to_string(l.k));
      l.topk_index = ints(p + "topk_index", {l.heads, l.queries, l.k}, true, where);
      l.topk_weight = floats(p + "topk_weight", {l.heads, l.queries, l.k}, true, where);
    } else if (keep == "stats") {
      l.keep = TraceKeep::stats;
    } else {
      throw FormatError(where + ": keep must be dense, topk or stats, got '" + keep + "'");
    }
    l.lse = floats(p + "lse", hq, false, where);
    l.entropy = floats(p + "entropy", hq, false, where);
    l.max_weight = floats(p + "max_weight", hq, false, where);
    l.argmax = ints(p + "argmax", hq, false, where);
    for (const json& e : lf.array("extras")) {
      if (!e.is_string()) throw FormatError(where + ": 'extras' must list names");
      const std::string name = e.get<std::string>();
      const TensorInfo* ti = tensor(p + "extras." + name, true, where);
      if (!dtype_is_float(ti->dtype))
        throw FormatError(where + ": extra '" + name + "' must be a float type, got " + std::string(dtype_name(ti->dtype)));
      l.extras[name] = {ti->shape, f_.read_f32(ti->name)};
    }
    return l;
  }

  const SafetensorsFile& f_;
  std::set<std::string> used_;
};

}  // namespace

bool is_trace(const SafetensorsFile& file) { return file.metadata().count(kTraceMetadataKey) > 0; }

Trace parse_trace(const SafetensorsFile& file) {
  const std::string name = "'" + file.path() + "': ";
  auto it = file.metadata().find(kTraceMetadataKey);
  if (it == file.metadata().end())
    throw FormatError(name + "not an attnscope trace (no __metadata__ key '" + kTraceMetadataKey + "')");
  const json d = parse_json(it->second, name + "trace description");
  if (!d.is_object()) throw FormatError(name + "trace description is not a JSON object");
  if (!d.contains("version") || !d["version"].is_number_integer())
    throw FormatError(name + "trace description has no integer 'version'");
  const int64_t version = d["version"].get<int64_t>();
  if (version < 1 || version > kTraceVersion)
    throw FormatError(name + "trace format version " + std::to_string(version) + " is not supported (this attnscope reads " +
                      std::to_string(kTraceVersion) + "; newer attnscope?)");
  try {
    return TraceParser(file).parse(d);
  } catch (const ShapeError& e) {
    throw ShapeError(name + e.what());
  } catch (const FormatError& e) {
    throw FormatError(name + e.what());
  }
}

Trace read_trace(const std::string& path) { return parse_trace(SafetensorsFile::open(path)); }

}  // namespace attnscope::io
