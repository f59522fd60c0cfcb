// NumPy .npy arrays (format versions 1.0, 2.0 and 3.0): reader with full validation and a writer.
// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
// Layout: "\x93NUMPY" | major | minor | header length (u16 for v1, u32 for v2/v3) | a Python dict
// literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with spaces and '\n'
// | raw data. Supported descr: bool, signed/unsigned integers of 1-8 bytes, f2/f4/f8, either
// byte order; object arrays (pickles) and structured dtypes are refused. Arrays come back in C
// order and little-endian whatever the file holds.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attnscope/io/dtype.h"

namespace attnscope::io {

struct NpyArray {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<unsigned char> data;  // numel x dtype_size bytes, C order, little-endian

  int64_t numel() const;
  std::vector<float> to_f32() const;    // any numeric dtype
  std::vector<int64_t> to_i64() const;  // integer dtypes (FormatError otherwise)
};

// Parses .npy bytes; `what` names them in errors (FormatError: "'x.npy': ...").
NpyArray parse_npy(std::string_view bytes, const std::string& what);
// Reads a .npy file (IoError when unreadable, FormatError when malformed).
NpyArray read_npy(const std::string& path);

// .npy bytes (format 1.0, or 2.0 when the header needs it) for C-order little-endian data;
// dtype must be one NumPy has (not BF16 / F8). ShapeError when bytes do not match the shape.
std::string serialize_npy(DType dtype, std::span<const int64_t> shape, std::span<const unsigned char> bytes);
void write_npy(const std::string& path, std::span<const int64_t> shape, std::span<const float> values);

}  // namespace attnscope::io
