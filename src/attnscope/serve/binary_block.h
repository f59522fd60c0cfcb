// The viewer's binary response: a JSON header describing typed arrays, then their bytes.
//   [u32 little-endian H][H bytes of JSON, space-padded so H % 4 == 0][array bytes ...]
// Each array is {"name", "dtype": "f32"|"f16"|"u8"|"i32", "shape": [...], "offset", "bytes"},
// offset counted from the first byte after the header and aligned to 4, so the page can view
// each one as a typed array without copying (web/api.js decodes it).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace attnscope::serve {

class BinaryBlock {
 public:
  explicit BinaryBlock(nlohmann::json header = nlohmann::json::object()) : header_(std::move(header)) {}
  void add_f32(const std::string& name, std::vector<int64_t> shape, std::span<const float> v);
  void add_f16(const std::string& name, std::vector<int64_t> shape, std::span<const float> v);
  void add_i32(const std::string& name, std::vector<int64_t> shape, std::span<const int32_t> v);
  // u8 quantised: byte = round(v / scale * 255) with scale = max(v) (stored as "scale").
  void add_u8(const std::string& name, std::vector<int64_t> shape, std::span<const float> v);
  nlohmann::json& header() { return header_; }
  std::string encode() const;

 private:
  void add_raw(const std::string& name, const char* dtype, std::vector<int64_t> shape,
               const void* data, size_t bytes, nlohmann::json extra = {});
  nlohmann::json header_;
  nlohmann::json arrays_ = nlohmann::json::array();
  std::string payload_;
};

}  // namespace attnscope::serve
