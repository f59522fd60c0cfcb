#include "attnscope/io/dtype.h"

#include <array>
#include <bit>
#include <cstring>
#include <string>

#include "attnscope/core/error.h"
#include "attnscope/core/half.h"

namespace attnscope::io {

static_assert(std::endian::native == std::endian::little, "file formats here are little-endian");

namespace {
struct DTypeInfo {
  DType type;
  std::string_view name;
  size_t size;
  bool is_float;
};
constexpr std::array<DTypeInfo, 15> kDTypes{{
    {DType::BOOL, "BOOL", 1, false}, {DType::U8, "U8", 1, false},   {DType::I8, "I8", 1, false},
    {DType::F8_E5M2, "F8_E5M2", 1, true}, {DType::F8_E4M3, "F8_E4M3", 1, true},
    {DType::I16, "I16", 2, false},   {DType::U16, "U16", 2, false}, {DType::F16, "F16", 2, true},
    {DType::BF16, "BF16", 2, true},  {DType::I32, "I32", 4, false}, {DType::U32, "U32", 4, false},
    {DType::F32, "F32", 4, true},    {DType::F64, "F64", 8, true},  {DType::I64, "I64", 8, false},
    {DType::U64, "U64", 8, false},
}};
const DTypeInfo& info(DType t) { return kDTypes[static_cast<size_t>(t)]; }

// OCP FP8 E4M3 ("fn"): bias 7, no infinities, S.1111.111 is NaN.
float f8_e4m3_to_f32(uint8_t b) {
  const bool neg = b & 0x80;
  const uint32_t e = (b >> 3) & 0xfu, m = b & 0x7u;
  float v;
  if (e == 15 && m == 7) v = std::bit_cast<float>(0x7fc00000u);
  else if (e == 0) v = static_cast<float>(m) * 0x1p-9f;
  else v = std::bit_cast<float>(((e + 120u) << 23) | (m << 20));
  return neg ? -v : v;
}

template <typename T>
T load(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

template <typename T, typename Out>
void convert_loop(const unsigned char* s, size_t n, Out* dst) {
  for (size_t i = 0; i < n; ++i) dst[i] = static_cast<Out>(load<T>(s + i * sizeof(T)));
}
}  // namespace

size_t dtype_size(DType t) { return info(t).size; }
std::string_view dtype_name(DType t) { return info(t).name; }
bool dtype_is_float(DType t) { return info(t).is_float; }

std::optional<DType> parse_dtype(std::string_view name) {
  for (const auto& d : kDTypes)
    if (d.name == name) return d.type;
  return std::nullopt;
}

void convert_to_f32(DType t, const void* src, size_t n, float* dst) {
  const auto* s = static_cast<const unsigned char*>(src);
  switch (t) {
    case DType::BOOL: for (size_t i = 0; i < n; ++i) dst[i] = s[i] ? 1.0f : 0.0f; return;
    case DType::U8: convert_loop<uint8_t>(s, n, dst); return;
    case DType::I8: convert_loop<int8_t>(s, n, dst); return;
    case DType::F8_E5M2:  // the top byte of an f16
      for (size_t i = 0; i < n; ++i) dst[i] = f16_to_f32(static_cast<uint16_t>(s[i] << 8));
      return;
    case DType::F8_E4M3: for (size_t i = 0; i < n; ++i) dst[i] = f8_e4m3_to_f32(s[i]); return;
    case DType::I16: convert_loop<int16_t>(s, n, dst); return;
    case DType::U16: convert_loop<uint16_t>(s, n, dst); return;
    case DType::F16: for (size_t i = 0; i < n; ++i) dst[i] = f16_to_f32(load<uint16_t>(s + 2 * i)); return;
    case DType::BF16: for (size_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(load<uint16_t>(s + 2 * i)); return;
    case DType::I32: convert_loop<int32_t>(s, n, dst); return;
    case DType::U32: convert_loop<uint32_t>(s, n, dst); return;
    case DType::F32: if (n) std::memcpy(dst, s, n * sizeof(float)); return;  // dst may be null when n == 0
    case DType::F64: convert_loop<double>(s, n, dst); return;
    case DType::I64: convert_loop<int64_t>(s, n, dst); return;
    case DType::U64: convert_loop<uint64_t>(s, n, dst); return;
  }
}

void convert_to_i64(DType t, const void* src, size_t n, int64_t* dst) {
  const auto* s = static_cast<const unsigned char*>(src);
  switch (t) {
    case DType::BOOL: for (size_t i = 0; i < n; ++i) dst[i] = s[i] ? 1 : 0; return;
    case DType::U8: convert_loop<uint8_t>(s, n, dst); return;
    case DType::I8: convert_loop<int8_t>(s, n, dst); return;
    case DType::I16: convert_loop<int16_t>(s, n, dst); return;
    case DType::U16: convert_loop<uint16_t>(s, n, dst); return;
    case DType::I32: convert_loop<int32_t>(s, n, dst); return;
    case DType::U32: convert_loop<uint32_t>(s, n, dst); return;
    case DType::I64: convert_loop<int64_t>(s, n, dst); return;
    case DType::U64:
      for (size_t i = 0; i < n; ++i) {
        const uint64_t v = load<uint64_t>(s + 8 * i);
        if (v > static_cast<uint64_t>(INT64_MAX))
          throw FormatError("U64 value " + std::to_string(v) + " does not fit in int64");
        dst[i] = static_cast<int64_t>(v);
      }
      return;
    default:
      throw FormatError("expected an integer dtype, got " + std::string(dtype_name(t)));
  }
}

}  // namespace attnscope::io
