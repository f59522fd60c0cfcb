// JSON from files: every parser of untrusted JSON (tokenizer files, configs, trace tokens,
// checkpoint metadata, safetensors headers, reports) goes through parse_json, which refuses
// nesting deeper than kMaxJsonDepth — a 100,000-deep array would otherwise overflow the stack of
// whatever walks it — and turns syntax errors into one FormatError naming the source.
// The checks run as a SAX pass before the document is built: nlohmann's callback parser costs
// O(siblings) per closed object, so 40,000 tensor entries took 20 s (quadratic).
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace attnscope::io {

inline constexpr int kMaxJsonDepth = 256;

struct JsonLimits {
  int max_depth = kMaxJsonDepth;
  bool unique_top_keys = false;  // a key repeated in the top-level object is an error (safetensors)
};

// `where` names the source in errors ("tokenizer.json", "checkpoint metadata 'config'").
nlohmann::json parse_json(std::string_view text, const std::string& where, const JsonLimits& limits = {});

}  // namespace attnscope::io
