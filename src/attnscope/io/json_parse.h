// JSON from files: every parser of untrusted JSON (tokenizer files, configs, trace tokens,
// checkpoint metadata, reports) goes through parse_json, which refuses nesting deeper than
// kMaxJsonDepth — a 100,000-deep array would otherwise overflow the stack of whatever walks it —
// and turns syntax errors into one FormatError naming the source.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace attnscope::io {

inline constexpr int kMaxJsonDepth = 256;

// `where` names the source in errors ("tokenizer.json", "checkpoint metadata 'config'").
nlohmann::json parse_json(std::string_view text, const std::string& where);

}  // namespace attnscope::io
