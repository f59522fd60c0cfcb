#include "attnscope/serve/binary_block.h"

#include <algorithm>
#include <cmath>

#include "attnscope/core/half.h"

namespace attnscope::serve {

void BinaryBlock::add_raw(const std::string& name, const char* dtype, std::vector<int64_t> shape,
                          const void* data, size_t bytes, nlohmann::json extra) {
  payload_.resize((payload_.size() + 3) / 4 * 4, '\0');  // 4-byte alignment for typed arrays
  nlohmann::json a = {{"name", name}, {"dtype", dtype}, {"shape", shape},
                      {"offset", payload_.size()}, {"bytes", bytes}};
  if (extra.is_object()) a.update(extra);
  arrays_.push_back(std::move(a));
  payload_.append(static_cast<const char*>(data), bytes);
}

void BinaryBlock::add_f32(const std::string& name, std::vector<int64_t> shape, std::span<const float> v) {
  add_raw(name, "f32", std::move(shape), v.data(), v.size_bytes());
}

void BinaryBlock::add_i32(const std::string& name, std::vector<int64_t> shape, std::span<const int32_t> v) {
  add_raw(name, "i32", std::move(shape), v.data(), v.size_bytes());
}

void BinaryBlock::add_f16(const std::string& name, std::vector<int64_t> shape, std::span<const float> v) {
  std::vector<uint16_t> h(v.size());
  f32_to_f16(v.data(), h.data(), v.size());
  add_raw(name, "f16", std::move(shape), h.data(), h.size() * 2);
}

void BinaryBlock::add_u8(const std::string& name, std::vector<int64_t> shape, std::span<const float> v) {
  float scale = 0.0f;
  for (float x : v) scale = std::max(scale, x);
  std::vector<uint8_t> q(v.size());
  const float inv = scale > 0.0f ? 255.0f / scale : 0.0f;
  for (size_t i = 0; i < v.size(); ++i)
    q[i] = static_cast<uint8_t>(std::lround(std::clamp(v[i] * inv, 0.0f, 255.0f)));
  add_raw(name, "u8", std::move(shape), q.data(), q.size(), {{"scale", scale}});
}

std::string BinaryBlock::encode() const {
  nlohmann::json h = header_;
  h["arrays"] = arrays_;
  std::string text = h.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.resize((text.size() + 3) / 4 * 4, ' ');
  std::string out;
  out.reserve(4 + text.size() + payload_.size());
  const uint32_t n = static_cast<uint32_t>(text.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xffu));
  out += text;
  out += payload_;
  return out;
}

}  // namespace attnscope::serve
