#include "attnscope/io/trace_import.h"
#include "attnscope/io/json_parse.h"

#include <cmath>

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

}  // namespace attnscope::io
