#include "attnscope/serve/api.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/core/version.h"
#include "attnscope/focus/row_stats.h"
#include "attnscope/serve/binary_block.h"

namespace attnscope::serve {
namespace {

// A request too large to answer (mapped to HTTP 413).
class TooLarge : public Error { public: using Error::Error; };

ApiResponse json_error(int status, const std::string& message) {
  // The message may quote a client's bytes (a parameter that is not UTF-8): replace them, since
  // a throwing dump() here escaped handle() (found by fuzz_serve_api).
  return {status, "application/json",
          nlohmann::json{{"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

ApiResponse binary(const BinaryBlock& b) { return {200, "application/octet-stream", b.encode()}; }

const std::string* find(const std::map<std::string, std::string>& p, const std::string& key) {
  auto it = p.find(key);
  return it == p.end() ? nullptr : &it->second;
}

// Strict decimal integer: digits only (no sign, spaces or exponent), at most 9 of them.
int64_t int_param(const std::map<std::string, std::string>& p, const std::string& key,
                  int64_t fallback = -1) {
  const std::string* s = find(p, key);
  if (!s) {
    ATTNSCOPE_CHECK(fallback >= 0, ConfigError, "missing parameter '" + key + "'");
    return fallback;
  }
  ATTNSCOPE_CHECK(!s->empty() && s->size() <= 9 && s->find_first_not_of("0123456789") == std::string::npos,
                  ConfigError, "parameter '" + key + "' must be a non-negative integer");
  return std::stoll(*s);
}

int64_t head_param(const std::map<std::string, std::string>& p) {
  const std::string* s = find(p, "head");
  if (s && *s == "mean") return kHeadMean;
  ATTNSCOPE_CHECK(!s || !s->empty(), ConfigError, "parameter 'head' must be an index or 'mean'");
  return int_param(p, "head");
}

const char* keep_name(io::TraceKeep k) {
  switch (k) {
    case io::TraceKeep::dense: return "dense";
    case io::TraceKeep::topk: return "topk";
    case io::TraceKeep::stats: return "stats";
  }
  return "dense";
}

}  // namespace

Api::Api(std::shared_ptr<const TraceSource> source, size_t cache_bytes)
    : source_(std::move(source)), cache_bytes_(cache_bytes) {}

std::string Api::meta_json() const {
  const auto& t = source_->trace();
  nlohmann::json seqs = nlohmann::json::array(), layers = nlohmann::json::array();
  for (const auto& s : t.sequences) {
    nlohmann::json js = {{"name", s.name}, {"length", s.tokens.size()}, {"grid_h", s.grid_h}, {"grid_w", s.grid_w}};
    if (!s.segments.empty()) js["segments"] = s.segments;  // sentence pairs: the views split at changes
    seqs.push_back(std::move(js));
  }
  for (int64_t l = 0; l < source_->num_layers(); ++l) {
    const auto& L = t.layers[l];
    nlohmann::json extras = nlohmann::json::array();
    for (const auto& [name, e] : L.extras) extras.push_back({{"name", name}, {"shape", e.shape}});
    layers.push_back({{"name", L.name}, {"query_seq", L.query_seq}, {"key_seq", L.key_seq},
                      {"mechanism", L.mechanism}, {"heads", L.heads}, {"queries", L.queries},
                      {"keys", L.keys}, {"keep", keep_name(L.keep)}, {"k", L.k},
                      {"has_matrix", source_->has_matrix(l)},
                      {"max_level", source_->has_matrix(l) ? source_->max_level(l) : 0},
                      {"extras", extras},
                      {"has_qk", L.extras.count("query") && L.extras.count("key")}});
  }
  nlohmann::json meta = nlohmann::json::object();
  for (const auto& [k, v] : t.meta) meta[k] = v;
  return nlohmann::json{{"version", kVersion},
                        {"sequences", seqs},
                        {"layers", layers},
                        {"meta", meta},
                        {"steps", t.steps},
                        {"image_path", t.image_path},
                        {"predictions", t.predictions.empty() ? nlohmann::json(nullptr)
                                                              : nlohmann::json{{"seq", t.predictions.seq},
                                                                               {"k", t.predictions.k}}},
                        {"tile", TraceSource::kTile},
                        {"limits", {{"edge_entries", kMaxEdgeEntries}, {"thumb_size", kMaxThumbSize}}}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);  // a prompt's invalid UTF-8 as U+FFFD
}

ApiResponse Api::handle(const std::string& path, const std::map<std::string, std::string>& params) const {
  const std::string prefix = "/api/";
  if (path.rfind(prefix, 0) != 0) return json_error(404, "not an API path");
  try {
    return dispatch(path.substr(prefix.size()), params);
  } catch (const TooLarge& e) {
    return json_error(413, e.what());
  } catch (const ConfigError& e) {
    return json_error(400, e.what());
  } catch (const std::bad_alloc&) {
    return json_error(503, "out of memory");
  } catch (const std::exception& e) {
    return json_error(500, e.what());
  }
}

ApiResponse Api::dispatch(const std::string& ep, const std::map<std::string, std::string>& p) const {
  const TraceSource& src = *source_;
  if (ep == "meta") return {200, "application/json", meta_json()};
  if (ep == "tokens") {
    const std::string* name = find(p, "seq");
    ATTNSCOPE_CHECK(name, ConfigError, "missing parameter 'seq'");
    const auto* s = src.trace().find_sequence(*name);
    ATTNSCOPE_CHECK(s, ConfigError, "unknown sequence '" + *name + "'");
    // Token strings come from tokenizers and may hold invalid UTF-8: replace, never throw.
    return {200, "application/json",
            nlohmann::json(s->tokens).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  }
  if (ep == "tile") {
    const int64_t l = int_param(p, "layer"), level = int_param(p, "level");
    const int64_t head = head_param(p);
    const int64_t ty = int_param(p, "ty"), tx = int_param(p, "tx");
    const std::string agg = find(p, "agg") ? *find(p, "agg") : "max";
    const std::string fmt = find(p, "fmt") ? *find(p, "fmt") : "f16";
    ATTNSCOPE_CHECK(agg == "max" || agg == "mean", ConfigError, "agg must be max or mean, got '" + agg + "'");
    ATTNSCOPE_CHECK(fmt == "f16" || fmt == "u8" || fmt == "f32", ConfigError,
                    "fmt must be f16, u8 or f32, got '" + fmt + "'");
    const std::string key = std::to_string(l) + "/" + std::to_string(head) + "/" + std::to_string(level) +
                            "/" + std::to_string(ty) + "/" + std::to_string(tx) + "/" + agg + "/" + fmt;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto it = index_.find(key); it != index_.end()) {
        lru_.splice(lru_.begin(), lru_, it->second);
        return {200, "application/octet-stream", it->second->second};
      }
    }
    const Block b = src.tile(l, head, level, ty, tx, agg == "max" ? Aggregate::max : Aggregate::mean);
    BinaryBlock out({{"layer", l}, {"head", head}, {"level", level}, {"ty", ty}, {"tx", tx},
                     {"factor", b.factor}, {"agg", agg}});
    const std::vector<int64_t> shape = {b.rows, b.cols};
    if (fmt == "f16") out.add_f16("values", shape, b.values);
    else if (fmt == "u8") out.add_u8("values", shape, b.values);
    else out.add_f32("values", shape, b.values);
    std::string body = out.encode();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!index_.count(key) && body.size() <= cache_bytes_) {
        lru_.emplace_front(key, body);
        index_[key] = lru_.begin();
        cached_bytes_ += body.size();
        while (cached_bytes_ > cache_bytes_) {
          cached_bytes_ -= lru_.back().second.size();
          index_.erase(lru_.back().first);
          lru_.pop_back();
        }
      }
    }
    return {200, "application/octet-stream", std::move(body)};
  }
  if (ep == "row") {
    const int64_t l = int_param(p, "layer"), q = int_param(p, "q");
    const int64_t head = head_param(p);
    const auto r = src.row(l, head, q);
    BinaryBlock out({{"layer", l}, {"head", head}, {"q", q}});
    out.add_f32("values", {static_cast<int64_t>(r.size())}, r);
    return binary(out);
  }
  if (ep == "stats") {
    // Per query: entropy, max weight, most-attended key of one head or the mean (focus/row_stats.h):
    // what the viewer draws for a layer that kept only row statistics.
    const int64_t l = int_param(p, "layer");
    const int64_t head = head_param(p);
    const io::TraceLayer& L = src.layer(l);
    const focus::RowStats s = focus::row_stats(L, head);
    BinaryBlock out({{"layer", l}, {"head", head}});
    if (!s.entropy.empty()) out.add_f32("entropy", {L.queries}, s.entropy);
    if (!s.max_weight.empty()) out.add_f32("max_weight", {L.queries}, s.max_weight);
    if (!s.argmax.empty()) out.add_i32("argmax", {L.queries}, s.argmax);
    return binary(out);
  }
  if (ep == "edges") {
    const int64_t l = int_param(p, "layer"), q0 = int_param(p, "q0"), q1 = int_param(p, "q1");
    const int64_t k = int_param(p, "k");
    const int64_t head = head_param(p);
    if (q1 > q0 && (q1 - q0) * std::max<int64_t>(k, 1) > kMaxEdgeEntries)
      throw TooLarge("edges request of " + std::to_string(q1 - q0) + " rows x k=" + std::to_string(k) +
                     " exceeds " + std::to_string(kMaxEdgeEntries) + " entries; ask for fewer rows");
    const Edges e = src.top_edges(l, head, q0, q1, k);
    BinaryBlock out({{"layer", l}, {"head", head}, {"q0", q0}, {"q1", q1}, {"k", e.k}});
    out.add_i32("index", {e.queries, e.k}, e.index);
    out.add_f32("weight", {e.queries, e.k}, e.weight);
    return binary(out);
  }
  if (ep == "qk") {
    // The neuron view of one weight: head h's query vector at q and key vector at k, as recorded
    // (--capture ...,qk); the score is their dot product times `scale` before the softmax.
    const int64_t l = int_param(p, "layer"), h = int_param(p, "head"), q = int_param(p, "q"), k = int_param(p, "k");
    const io::TraceLayer& L = src.layer(l);
    const auto qi = L.extras.find("query"), ki = L.extras.find("key");
    ATTNSCOPE_CHECK(qi != L.extras.end() && ki != L.extras.end(), ConfigError,
                    "layer " + std::to_string(l) + " has no query/key vectors (trace with --capture ...,qk)");
    ATTNSCOPE_CHECK(h < L.heads, ConfigError, "head " + std::to_string(h) + " out of range [0, " + std::to_string(L.heads) + ")");
    ATTNSCOPE_CHECK(q < L.queries, ConfigError, "q " + std::to_string(q) + " out of range [0, " + std::to_string(L.queries) + ")");
    ATTNSCOPE_CHECK(k < L.keys, ConfigError, "k " + std::to_string(k) + " out of range [0, " + std::to_string(L.keys) + ")");
    const int64_t D = qi->second.shape[2];
    BinaryBlock out({{"layer", l}, {"head", h}, {"q", q}, {"k", k}, {"scale", 1.0 / std::sqrt(static_cast<double>(D))}});
    out.add_f32("query", {D}, std::span<const float>(qi->second.values).subspan((h * L.queries + q) * D, D));
    out.add_f32("key", {D}, std::span<const float>(ki->second.values).subspan((h * L.keys + k) * D, D));
    return binary(out);
  }
  if (ep == "predictions") {
    // Next-token candidates per position (--capture ...,next:K): labels in the header.
    const auto& pr = src.trace().predictions;
    ATTNSCOPE_CHECK(!pr.empty(), ConfigError, "the trace has no next-token predictions (trace with --capture ...,next:K)");
    const int64_t Q = static_cast<int64_t>(pr.target_rank.size());
    BinaryBlock out(nlohmann::json{{"seq", pr.seq}, {"k", pr.k}, {"labels", pr.labels}});
    out.add_i32("index", {Q, pr.k}, pr.index);
    out.add_f32("prob", {Q, pr.k}, pr.prob);
    out.add_f32("target_prob", {Q}, pr.target_prob);
    out.add_i32("target_rank", {Q}, pr.target_rank);
    return binary(out);
  }
  if (ep == "thumbs") {
    const int64_t size = int_param(p, "size", 48);
    ATTNSCOPE_CHECK(size >= 1, ConfigError, "size must be >= 1");
    if (size > kMaxThumbSize)
      throw TooLarge("thumbnail size " + std::to_string(size) + " exceeds " + std::to_string(kMaxThumbSize));
    int64_t l0 = 0, l1 = src.num_layers();
    if (find(p, "layer")) {
      l0 = int_param(p, "layer");
      src.layer(l0);  // range check
      l1 = l0 + 1;
    }
    int64_t total = 0;
    for (int64_t l = l0; l < l1; ++l) total += src.layer(l).heads * size * size;
    if (total > kMaxThumbBytes) throw TooLarge("thumbnails would take " + std::to_string(total) + " bytes");
    BinaryBlock out(nlohmann::json{{"size", size}});
    for (int64_t l = l0; l < l1; ++l) {
      if (!src.has_matrix(l)) continue;
      for (int h = 0; h < src.layer(l).heads; ++h) {
        const Block b = src.thumbnail(l, h, size);
        out.add_u8(std::to_string(l) + "/" + std::to_string(h), {b.rows, b.cols}, b.values);
      }
    }
    return binary(out);
  }
  return json_error(404, "unknown endpoint '/api/" + ep + "'");
}

}  // namespace attnscope::serve
