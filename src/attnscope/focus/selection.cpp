#include "attnscope/focus/selection.h"

#include <charconv>

#include "attnscope/core/error.h"
#include "attnscope/focus/attention_map.h"

namespace attnscope::focus {

namespace {
bool parse_int(const std::string& s, int64_t& out) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && p == end;
}
}  // namespace

int64_t resolve_layer(const io::Trace& trace, const std::string& spec) {
  const int64_t n = static_cast<int64_t>(trace.layers.size());
  ATTNSCOPE_CHECK(n > 0, ConfigError, "the trace has no attention layers");
  if (spec.empty()) return 0;
  int64_t i = 0;
  if (parse_int(spec, i)) {
    if (i < 0) i += n;
    ATTNSCOPE_CHECK(i >= 0 && i < n, ConfigError,
                    "layer " + spec + " out of range: the trace has " + std::to_string(n) + " layers (0.." +
                        std::to_string(n - 1) + ", or a name)");
    return i;
  }
  std::string names;
  for (int64_t l = 0; l < n; ++l) {
    if (trace.layers[static_cast<size_t>(l)].name == spec) return l;
    if (l < 8) names += (l ? ", " : "") + trace.layers[static_cast<size_t>(l)].name;
  }
  if (n > 8) names += ", ...";
  throw ConfigError("layer '" + spec + "': no such layer (layers: " + names + ")");
}

int64_t resolve_head(const io::TraceLayer& layer, const std::string& spec) {
  if (spec.empty() || spec == "mean") return kHeadMean;
  int64_t h = 0;
  ATTNSCOPE_CHECK(parse_int(spec, h), ConfigError, "head '" + spec + "': expected a head index or 'mean'");
  ATTNSCOPE_CHECK(h >= 0 && h < layer.heads, ConfigError,
                  "head " + spec + " out of range: layer '" + layer.name + "' has " +
                      std::to_string(layer.heads) + " heads (0.." + std::to_string(layer.heads - 1) +
                      ", or mean)");
  return h;
}

}  // namespace attnscope::focus
