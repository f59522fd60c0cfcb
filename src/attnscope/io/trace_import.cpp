#include "attnscope/io/trace_import.h"
#include "attnscope/io/json_parse.h"

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/io/npy.h"
#include "attnscope/io/npz.h"
#include "attnscope/io/safetensors.h"
#include "attnscope/io/trace_io.h"

namespace attnscope::io {

using nlohmann::json;

namespace {
std::vector<std::string> token_list(const json& j, const std::string& what) {
  if (!j.is_array()) throw FormatError("tokens: " + what + " must be a list of strings");
  std::vector<std::string> out;
  for (const json& t : j) {
    if (!t.is_string()) throw FormatError("tokens: " + what + " must be a list of strings, found " + t.dump());
    out.push_back(t.get<std::string>());
  }
  return out;
}
}  // namespace

Trace trace_from_attention(std::span<const int64_t> shape, std::span<const float> weights, const std::string& tokens_json,
                           const TraceImportOptions& opt) {
  if (shape.size() < 2 || shape.size() > 4)
    throw ShapeError("attention array must be [layers, heads, queries, keys] (or [heads, queries, keys] / [queries, "
                     "keys]), got shape " + shape_to_string(shape));
  int64_t dims[4] = {1, 1, 1, 1};  // L, NH, Q, K
  for (size_t i = 0; i < shape.size(); ++i) dims[4 - shape.size() + i] = shape[i];
  const int64_t L = dims[0], NH = dims[1], Q = dims[2], K = dims[3];
  if (L < 1 || NH < 1) throw ShapeError("attention array " + shape_to_string(shape) + " has no layers or heads");

  const json tj = parse_json(tokens_json, "tokens");
  Trace t;
  TraceSequence qs, ks;
  if (tj.is_array()) {
    qs = {"tokens", token_list(tj, "the token list"), 0, 0};
    ks = qs;
  } else if (tj.is_object()) {
    if (!tj.contains("queries") || !tj.contains("keys"))
      throw FormatError("tokens: an object needs \"queries\" and \"keys\" lists");
    qs = {tj.value("query_name", std::string("queries")), token_list(tj["queries"], "\"queries\""), 0, 0};
    ks = {tj.value("key_name", std::string("keys")), token_list(tj["keys"], "\"keys\""), 0, 0};
    if (qs.name == ks.name) throw FormatError("tokens: query_name and key_name must differ");
  } else {
    throw FormatError("tokens: expected a list of strings or {\"queries\": [...], \"keys\": [...]}");
  }
  const bool self = tj.is_array();
  if (Q != static_cast<int64_t>(qs.tokens.size()) || K != static_cast<int64_t>(ks.tokens.size())) {
    if (self)
      throw ShapeError("attention array " + shape_to_string(shape) + " has " + std::to_string(Q) + " queries x " +
                       std::to_string(K) + " keys but the token list has " + std::to_string(qs.tokens.size()) + " tokens");
    throw ShapeError("attention array " + shape_to_string(shape) + " has " + std::to_string(Q) + " queries x " +
                     std::to_string(K) + " keys but the tokens list " + std::to_string(qs.tokens.size()) + " queries and " +
                     std::to_string(ks.tokens.size()) + " keys");
  }
  if (weights.size() != static_cast<size_t>(L * NH * Q * K))
    throw ShapeError("attention array " + shape_to_string(shape) + " needs " + std::to_string(L * NH * Q * K) +
                     " values, got " + std::to_string(weights.size()));
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!std::isfinite(weights[i]))
      throw ValueError("attention array value #" + std::to_string(i) + " is " + (std::isnan(weights[i]) ? "NaN" : "infinite") +
                       " (fully masked rows should hold zeros)");
    if (weights[i] < 0)
      throw ValueError("attention array value #" + std::to_string(i) + " is " + std::to_string(weights[i]) +
                       ": attention weights are >= 0 (signed scores such as attributions are not weights)");
  }

  t.sequences.push_back(qs);
  if (!self) t.sequences.push_back(ks);
  t.meta = opt.meta;
  const size_t per_layer = static_cast<size_t>(NH * Q * K);
  for (int64_t l = 0; l < L; ++l) {
    TraceLayer layer;
    layer.name = "layer." + std::to_string(l);
    layer.query_seq = qs.name;
    layer.key_seq = ks.name;
    layer.mechanism = opt.mechanism;
    layer.heads = NH, layer.queries = Q, layer.keys = K;
    layer.weights.assign(weights.begin() + l * per_layer, weights.begin() + (l + 1) * per_layer);  // [NH, Q, K]
    t.layers.push_back(std::move(layer));
  }
  validate_trace(t);
  return t;
}

Trace import_trace(const std::string& attn_path, const std::string& tokens_path, const TraceImportOptions& opt) {
  NpyArray arr;
  const bool npz = attn_path.size() >= 4 && attn_path.compare(attn_path.size() - 4, 4, ".npz") == 0;
  if (npz) {
    NpzArrays all = read_npz(attn_path);
    if (all.empty()) throw FormatError("'" + attn_path + "' holds no arrays");
    std::string names;
    for (auto& [name, a] : all) names += (names.empty() ? "" : ", ") + name;
    const std::string want = !opt.array.empty() ? opt.array : all.size() == 1 ? all[0].first : "attn";
    bool found = false;
    for (auto& [name, a] : all)
      if (name == want) arr = std::move(a), found = true;
    if (!found)
      throw ConfigError("'" + attn_path + "' has no array '" + want + "' (it has: " + names + "); name one as the array to import");
  } else {
    arr = read_npy(attn_path);
  }
  if (!dtype_is_float(arr.dtype))
    throw FormatError("'" + attn_path + "': attention weights must be floats, got " + std::string(dtype_name(arr.dtype)));
  const std::string tokens = read_file(tokens_path);
  const std::vector<float> weights = arr.to_f32();
  std::vector<unsigned char>().swap(arr.data);  // the raw bytes are no longer needed
  try {
    return trace_from_attention(arr.shape, weights, tokens, opt);
  } catch (const ShapeError& e) {
    throw ShapeError("'" + attn_path + "' vs '" + tokens_path + "': " + e.what());
  } catch (const FormatError& e) {
    throw FormatError("'" + tokens_path + "': " + e.what());
  }
}

// ------------------------------------------------------------------ a whole trace description

namespace {

std::string array_names(const NpzArrays& arrays) {
  std::string names;
  for (const auto& [name, a] : arrays) names += (names.empty() ? "" : ", ") + name;
  return names;
}

// Turns the description's array references into tensors of a safetensors file in the trace's
// own naming, so that reading it back is the one trace parser (and its validation).
class DescribedTrace {
 public:
  DescribedTrace(const NpzArrays& arrays, const TraceImportOptions& opt) : arrays_(arrays), opt_(opt) {}

  std::string bytes(json d) {
    if (!d.is_object()) throw FormatError("a trace description must be a JSON object");
    if (!d.contains("version")) d["version"] = kTraceVersion;
    d["format"] = "attnscope.trace";
    json& meta = d["meta"];
    if (meta.is_null()) meta = json::object();
    if (!meta.is_object()) throw FormatError("'meta' must be an object of strings");
    for (const auto& [k, v] : opt_.meta) meta[k] = v;
    if (d.contains("snapshots") && !d["snapshots"].is_array()) throw FormatError("'snapshots' must be an array");
    // Without top-level layers, the trace shows the last snapshot (as a training run's does).
    if (!d.contains("layers") && d.contains("snapshots") && !d["snapshots"].empty() && d["snapshots"].back().is_object())
      d["layers"] = d["snapshots"].back().value("layers", json::array());
    if (!d.contains("layers") || !d["layers"].is_array()) throw FormatError("the description needs 'layers' (an array)");
    layers(d["layers"], "layers.");
    if (d.contains("snapshots"))
      for (size_t s = 0; s < d["snapshots"].size(); ++s) {
        json& snap = d["snapshots"][s];
        if (!snap.is_object() || !snap.contains("layers") || !snap["layers"].is_array())
          throw FormatError("snapshot " + std::to_string(s) + " needs 'layers' (an array)");
        layers(snap["layers"], "snapshots." + std::to_string(s) + ".layers.");
      }
    if (d.contains("image") && d["image"].is_object() && d["image"].contains("array")) image(d["image"]);
    w_.set_metadata(kTraceMetadataKey, d.dump());
    return w_.serialize();
  }

 private:
  void layers(json& arr, const std::string& prefix) {
    for (size_t i = 0; i < arr.size(); ++i) {
      json& l = arr[i];
      if (!l.is_object()) throw FormatError("each layer must be an object");
      if (!l.contains("name")) l["name"] = "layer." + std::to_string(i);
      if (!l["name"].is_string()) throw FormatError("a layer's 'name' must be a string");
      const std::string where = "layer '" + l["name"].get<std::string>() + "'";
      if (l.contains("keep") && l["keep"] != "dense")
        throw FormatError(where + ": imported weights are dense (reduce them to top-k or statistics when importing)");
      const auto [shape, values] = weights(l, where);
      const int64_t heads = shape.size() == 3 ? shape[0] : 1, Q = shape[shape.size() - 2], K = shape.back();
      for (const auto& [field, n] : {std::pair{"heads", heads}, {"queries", Q}, {"keys", K}})
        if (l.contains(field) && l[field] != n)
          throw ShapeError(where + ": '" + field + "' is " + l[field].dump() + " but its array " + shape_to_string(shape) +
                           " has " + std::to_string(n));
      l["heads"] = heads, l["queries"] = Q, l["keys"] = K, l["keep"] = "dense";
      if (!l.contains("mechanism") && !opt_.mechanism.empty()) l["mechanism"] = opt_.mechanism;
      l.erase("array");
      l.erase("index");
      w_.add_f32(prefix + std::to_string(i) + ".weights", {heads, Q, K}, values);
    }
  }

  const std::pair<std::string, NpyArray>& array(const json& entry, const std::string& where) const {
    if (!entry.contains("array")) {
      if (arrays_.size() == 1) return arrays_[0];
      throw FormatError(where + ": name its 'array' (one of: " + array_names(arrays_) + ")");
    }
    if (!entry["array"].is_string()) throw FormatError(where + ": 'array' must be a string");
    const std::string want = entry["array"].get<std::string>();
    for (const auto& a : arrays_)
      if (a.first == want) return a;
    throw FormatError(where + ": no array '" + want + "' (there are: " + array_names(arrays_) + ")");
  }

  // The layer's [heads, queries, keys] (or [queries, keys]) weights: its array, at "index".
  std::pair<std::vector<int64_t>, std::vector<float>> weights(const json& l, const std::string& where) {
    const auto& [name, a] = array(l, where);
    if (!dtype_is_float(a.dtype))
      throw FormatError(where + ": array '" + name + "' must hold floats, got " + std::string(dtype_name(a.dtype)));
    std::vector<int64_t> index;
    if (l.contains("index")) {
      const json& ix = l["index"];
      for (const json& v : ix.is_array() ? ix : json::array({ix})) {
        if (!v.is_number_integer()) throw FormatError(where + ": 'index' must be an integer or a list of integers");
        index.push_back(v.get<int64_t>());
      }
    }
    const size_t rank = a.shape.size() - std::min(a.shape.size(), index.size());
    if (index.size() > a.shape.size() || rank < 2 || rank > 3)
      throw ShapeError(where + ": array '" + name + "' " + shape_to_string(a.shape) + " at index " + json(index).dump() +
                       " is not [heads, queries, keys] or [queries, keys]");
    int64_t offset = 0;
    for (size_t d = 0; d < index.size(); ++d) {
      if (index[d] < 0 || index[d] >= a.shape[d])
        throw ShapeError(where + ": index " + std::to_string(index[d]) + " is outside array '" + name + "' dimension " +
                         std::to_string(d) + " of size " + std::to_string(a.shape[d]));
      offset = offset * a.shape[d] + index[d];
    }
    std::vector<int64_t> shape(a.shape.begin() + static_cast<std::ptrdiff_t>(index.size()), a.shape.end());
    int64_t n = 1;
    for (int64_t s : shape) n *= s;
    auto [it, fresh] = floats_.try_emplace(name);
    if (fresh) it->second = a.to_f32();  // converted once however many layers it holds
    const auto begin = it->second.begin() + offset * n;
    return {shape, std::vector<float>(begin, begin + n)};
  }

  void image(json& im) {
    const auto& [name, a] = array(im, "image");
    if (a.dtype != DType::U8 || a.shape.size() < 2 || a.shape.size() > 3)
      throw FormatError("image: array '" + name + "' must be uint8 [height, width(, channels)], got " +
                        std::string(dtype_name(a.dtype)) + " " + shape_to_string(a.shape));
    w_.add_u8("image.pixels", a.shape, a.data);
    im.erase("array");
    im["embedded"] = true;
  }

  const NpzArrays& arrays_;
  const TraceImportOptions& opt_;
  std::map<std::string, std::vector<float>> floats_;
  SafetensorsWriter w_;
};

Trace described(const std::string& description_json, const NpzArrays& arrays, const TraceImportOptions& opt,
                const std::string& what) {
  std::string bytes = DescribedTrace(arrays, opt).bytes(parse_json(description_json, what));
  return parse_trace(SafetensorsFile::from_bytes(std::move(bytes), what));
}

}  // namespace

Trace trace_from_description(const std::string& description_json, const NpzArrays& arrays, const TraceImportOptions& opt) {
  return described(description_json, arrays, opt, "description");
}

Trace import_described_trace(const std::string& arrays_path, const std::string& description_path,
                             const TraceImportOptions& opt) {
  NpzArrays arrays;
  if (arrays_path.ends_with(".npz")) {
    arrays = read_npz(arrays_path);
  } else {
    arrays.emplace_back(std::filesystem::path(arrays_path).stem().string(), read_npy(arrays_path));
  }
  const std::string desc = read_file(description_path);
  // Errors name the description once (the trace parser already prefixes its own).
  auto named = [&](const std::string& m) {
    return m.rfind("'" + description_path + "'", 0) == 0 ? m : "'" + description_path + "': " + m;
  };
  try {
    return described(desc, arrays, opt, description_path);
  } catch (const ShapeError& e) {
    throw ShapeError(named(e.what()));
  } catch (const FormatError& e) {
    throw FormatError(named(e.what()));
  }
}

}  // namespace attnscope::io
