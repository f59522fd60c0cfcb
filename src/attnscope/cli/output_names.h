// Output paths checked before any work: a flag's file has the flag's kind (`--png a.svg` wrote
// SVG, `trace -o x.png` a trace named .png), and no output is one of the verb's inputs
// (`trace import in.npy -o in.npy` overwrote its input). One line naming the flag and the rule.
#pragma once
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "attnscope/core/error.h"

namespace attnscope::cli {

// path must end in one of `exts` (case-insensitive, e.g. ".png"); `flag` names the option.
inline void check_output_name(const std::string& path, const std::string& flag, std::initializer_list<const char*> exts) {
  if (path.empty()) return;
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string names;
  for (const char* e : exts) {
    const std::string ext = e;
    if (lower.size() > ext.size() && lower.compare(lower.size() - ext.size(), ext.size(), ext) == 0) return;
    names += (names.empty() ? "" : " or ") + std::string("NAME") + ext;
  }
  throw ConfigError(flag + " '" + path + "': expected " + names);
}

// Trace files: NAME.attn.safetensors (any .safetensors name is read as a trace).
inline void check_trace_output_name(const std::string& path, const std::string& flag) {
  check_output_name(path, flag, {".safetensors"});
}

// out must not be (a link to) any of the inputs.
inline void check_not_an_input(const std::string& out, const std::vector<std::string>& inputs) {
  if (out.empty()) return;
  std::error_code ec;
  for (const auto& in : inputs) {
    const bool same = std::filesystem::equivalent(out, in, ec) ||
                      std::filesystem::weakly_canonical(out, ec) == std::filesystem::weakly_canonical(in, ec);
    if (same && !in.empty()) throw ConfigError("output '" + out + "' is the input '" + in + "': choose another name");
  }
}

}  // namespace attnscope::cli
