// Helpers shared by the io tests: raw safetensors construction (to make malformed files on
// purpose) and a scratch directory under the build tree.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

namespace attnscope::io::testing {

// 8-byte little-endian length + header text + data bytes, exactly as given (no validation).
inline std::string raw_safetensors(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  const uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}

// A fresh directory build/test-tmp/<name>.
inline std::string scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::path(ATTNSCOPE_BINARY_DIR) / "test-tmp" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace attnscope::io::testing
