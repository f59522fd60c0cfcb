// Element types of tensors stored in files (safetensors names; .npy descriptors map onto them),
// and conversion of little-endian raw bytes to float32 / int64. Independent of the Tensor class:
// file formats describe bytes, the caller decides what to build from them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace attnscope::io {

enum class DType : uint8_t { BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64 };

// Bytes per element.
size_t dtype_size(DType t);
// Safetensors spelling: "F32", "BF16", "F8_E4M3", ...
std::string_view dtype_name(DType t);
// Inverse of dtype_name; nullopt for an unknown name.
std::optional<DType> parse_dtype(std::string_view name);
bool dtype_is_float(DType t);

// Converts n little-endian elements of type t at src (any alignment) to float32. Integers
// convert exactly up to 2^24; F8_E4M3 is the "fn" variant (no inf, 0x7f is NaN).
void convert_to_f32(DType t, const void* src, size_t n, float* dst);
// Converts n little-endian integer (or BOOL) elements to int64; throws FormatError for a float
// type or for a U64 value above INT64_MAX.
void convert_to_i64(DType t, const void* src, size_t n, int64_t* dst);

}  // namespace attnscope::io
