// Decoding of the viewer's binary blocks for tests (the C++ mirror of web/api.js decode()).
#pragma once
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "attnscope/core/half.h"

namespace attnscope::test {

struct Decoded {
  nlohmann::json header;
  std::string payload;
  const nlohmann::json& array(const std::string& name) const {
    for (const auto& a : header["arrays"])
      if (a["name"] == name) return a;
    throw std::runtime_error("no array " + name);
  }
  // Any dtype as floats (u8 scaled back by its "scale").
  std::vector<float> floats(const std::string& name) const {
    const auto& a = array(name);
    const size_t off = a["offset"], bytes = a["bytes"];
    const char* p = payload.data() + off;
    std::vector<float> out;
    const std::string dt = a["dtype"];
    if (dt == "f32") {
      out.resize(bytes / 4);
      std::memcpy(out.data(), p, bytes);
    } else if (dt == "f16") {
      for (size_t i = 0; i < bytes / 2; ++i) {
        uint16_t h;
        std::memcpy(&h, p + 2 * i, 2);
        out.push_back(f16_to_f32(h));
      }
    } else if (dt == "u8") {
      const float scale = a["scale"];
      for (size_t i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(p[i]) / 255.0f * scale);
    }
    return out;
  }
  std::vector<int32_t> ints(const std::string& name) const {
    const auto& a = array(name);
    std::vector<int32_t> out(a["bytes"].get<size_t>() / 4);
    std::memcpy(out.data(), payload.data() + a["offset"].get<size_t>(), out.size() * 4);
    return out;
  }
};

inline Decoded decode_block(const std::string& body) {
  if (body.size() < 4) throw std::runtime_error("short block");
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n |= static_cast<uint32_t>(static_cast<uint8_t>(body[i])) << (8 * i);
  if (n % 4 != 0 || 4 + n > body.size()) throw std::runtime_error("bad header length");
  return {nlohmann::json::parse(body.substr(4, n)), body.substr(4 + n)};
}

// The text between the first `open` and the next `close` after it ("" without `open`).
inline std::string between(const std::string& s, const std::string& open, const std::string& close) {
  const size_t a = s.find(open);
  if (a == std::string::npos) return {};
  const size_t b = s.find(close, a + open.size());
  return s.substr(a + open.size(), b - a - open.size());
}

}  // namespace attnscope::test
