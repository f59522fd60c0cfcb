#include "attnscope/serve/html_export.h"

#include <zlib.h>

#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/serve/api.h"
#include "attnscope/serve/binary_block.h"
#include "attnscope/serve/offline_page.h"

namespace attnscope::serve {
namespace {

std::string deflate(const std::string& in) {
  uLongf n = compressBound(in.size());
  std::string out(n, '\0');
  const int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &n,
                           reinterpret_cast<const Bytef*>(in.data()), in.size(), 6);
  ATTNSCOPE_CHECK(rc == Z_OK, Error, "zlib compress failed (" + std::to_string(rc) + ")");
  out.resize(n);
  return out;
}

std::string base64(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4 + in.size() / 57 + 1);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
    if ((i / 3 + 1) % 19 == 0) out += '\n';  // 76-column lines keep the file editor-friendly
  }
  if (i + 1 == in.size()) {
    const uint32_t v = uint8_t(in[i]) << 16;
    out += {k[v >> 18], k[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
  return out;
}

}  // namespace

int64_t stored_weights(const io::Trace& trace) {
  int64_t n = 0;
  for (const auto& L : trace.layers) {
    if (L.keep == io::TraceKeep::dense) n += static_cast<int64_t>(L.weights.size());
    if (L.keep == io::TraceKeep::topk) n += static_cast<int64_t>(L.topk_weight.size());
  }
  return n;
}

std::string export_html(const TraceSource& source, const AssetStore& assets, int64_t max_weights) {
  const io::Trace& t = source.trace();
  const int64_t n = stored_weights(t);
  ATTNSCOPE_CHECK(n <= max_weights, ConfigError,
                  "trace holds " + std::to_string(n) + " attention weights; an HTML export takes at most " +
                      std::to_string(max_weights) + " (use `attnscope view` for larger traces)");
  // The trace as one block: the /api/meta document and the tokens in the header.
  nlohmann::json tokens = nlohmann::json::object();
  for (const auto& s : t.sequences) tokens[s.name] = s.tokens;
  const Api api(std::shared_ptr<const TraceSource>(&source, [](const TraceSource*) {}));
  BinaryBlock block(nlohmann::json{{"meta", nlohmann::json::parse(api.meta_json())}, {"tokens", tokens}});
  for (size_t i = 0; i < t.layers.size(); ++i) {
    const auto& L = t.layers[i];
    const std::string p = std::to_string(i) + "/";
    if (L.keep == io::TraceKeep::dense) {
      block.add_f16(p + "weights", {L.heads, L.queries, L.keys}, L.weights);
    } else if (L.keep == io::TraceKeep::topk) {
      block.add_i32(p + "index", {L.heads, L.queries, L.k}, L.topk_index);
      block.add_f16(p + "weight", {L.heads, L.queries, L.k}, L.topk_weight);
    } else {
      // Row statistics only: the page draws them (web/util/local_source.js stats, the mean rule
      // of focus/row_stats.h); each [NH, Q] when kept.
      const std::vector<int64_t> hq = {L.heads, L.queries};
      if (!L.entropy.empty()) block.add_f32(p + "entropy", hq, L.entropy);
      if (!L.max_weight.empty()) block.add_f32(p + "max_weight", hq, L.max_weight);
      if (!L.argmax.empty()) block.add_i32(p + "argmax", hq, L.argmax);
    }
    // The neuron view's vectors, exact (f32), when recorded.
    for (const char* side : {"query", "key"})
      if (auto it = L.extras.find(side); it != L.extras.end() && L.extras.count("query") && L.extras.count("key"))
        block.add_f32(p + side, it->second.shape, it->second.values);
  }
  if (const auto& pr = t.predictions; !pr.empty()) {
    const int64_t Q = static_cast<int64_t>(pr.target_rank.size());
    block.header()["predictions"] = {{"seq", pr.seq}, {"k", pr.k}, {"labels", pr.labels}};
    block.add_i32("predictions/index", {Q, pr.k}, pr.index);
    block.add_f32("predictions/prob", {Q, pr.k}, pr.prob);
    block.add_f32("predictions/target_prob", {Q}, pr.target_prob);
    block.add_i32("predictions/target_rank", {Q}, pr.target_rank);
  }
  const std::string data = base64(deflate(block.encode()));

  return offline_page(assets, "index.html",
                      "<script id=\"attnscope-data\" type=\"application/octet-stream\">\n" + data + "\n</script>");
}

}  // namespace attnscope::serve
