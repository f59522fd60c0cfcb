// Safetensors (https://github.com/huggingface/safetensors) reader and writer.
// File layout: u64 little-endian N | N bytes of JSON header | data section. The header maps
// tensor names to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the data
// section) plus an optional "__metadata__" string -> string map.
// The reader trusts nothing: header length sane and inside the file, header a JSON object with
// unique keys, known dtypes, non-negative shapes, shape x dtype size == byte range, ranges inside
// the data section and non-overlapping, metadata a string -> string map. Any violation throws
// FormatError naming the file and what is wrong (one line). Independent of the Tensor class.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "attnscope/io/dtype.h"
#include "attnscope/io/mapped_file.h"

namespace attnscope::io {

struct TensorInfo {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte range within the data section
  int64_t numel() const;
  uint64_t nbytes() const { return end - begin; }
};

// "[2, 3, 4]"
std::string shape_to_string(std::span<const int64_t> shape);

class SafetensorsFile {
 public:
  // Largest header accepted (the reference implementation's limit too).
  static constexpr uint64_t kMaxHeaderBytes = 100'000'000;

  // Memory-maps and validates `path`. Throws IoError (cannot read) or FormatError (malformed).
  static SafetensorsFile open(const std::string& path);
  // Validates in-memory bytes; `what` names them in errors.
  static SafetensorsFile from_bytes(std::string bytes, const std::string& what = "<memory>");

  const std::string& path() const { return path_; }
  // Tensors in data-section order.
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  uint64_t header_bytes() const { return header_bytes_; }
  uint64_t file_bytes() const { return file_->size(); }

  bool contains(std::string_view name) const { return find(name) != nullptr; }
  const TensorInfo* find(std::string_view name) const;
  // Throws FormatError "'path' has no tensor 'name'".
  const TensorInfo& info(std::string_view name) const;
  // The tensor's raw little-endian bytes (a view into the mapped file; no alignment guarantee).
  std::span<const unsigned char> raw(std::string_view name) const;

  // Any numeric dtype converted to float32 (f16/bf16/f64/ints/f8).
  std::vector<float> read_f32(std::string_view name) const;
  // Same into a caller buffer of exactly numel() floats (ShapeError otherwise).
  void read_f32(std::string_view name, std::span<float> out) const;
  // Integer dtypes converted to int64.
  std::vector<int64_t> read_i64(std::string_view name) const;

 private:
  SafetensorsFile(std::shared_ptr<const MappedFile> file, std::string path);
  void parse();
  std::shared_ptr<const MappedFile> file_;
  std::string path_;
  uint64_t header_bytes_ = 0, data_offset_ = 0;
  std::vector<TensorInfo> tensors_;
  std::unordered_map<std::string, size_t> index_;  // name -> position in tensors_ (owned keys: copies stay valid)
  std::map<std::string, std::string> metadata_;
};

// Collects tensors and metadata, then writes them in one atomic write (temp file + rename).
// Header keys are written sorted; the header is space-padded so data start 8-byte aligned; data
// are contiguous (no gaps, as the reference reader demands), largest element size first.
class SafetensorsWriter {
 public:
  // Copies `bytes`, which must hold exactly numel(shape) x dtype_size(dtype) bytes (ShapeError).
  // Names must be unique and non-empty and not "__metadata__" (ValueError).
  void add(std::string name, DType dtype, std::vector<int64_t> shape, std::span<const unsigned char> bytes);
  void add_f32(std::string name, std::vector<int64_t> shape, std::span<const float> values);
  // Stores float32 values as F16 or BF16 (round to nearest even).
  void add_f16(std::string name, std::vector<int64_t> shape, std::span<const float> values);
  void add_bf16(std::string name, std::vector<int64_t> shape, std::span<const float> values);
  void add_i32(std::string name, std::vector<int64_t> shape, std::span<const int32_t> values);
  void add_i64(std::string name, std::vector<int64_t> shape, std::span<const int64_t> values);
  void add_u8(std::string name, std::vector<int64_t> shape, std::span<const uint8_t> values);

  void set_metadata(const std::string& key, std::string value) { metadata_[key] = std::move(value); }
  void set_metadata(std::map<std::string, std::string> metadata) { metadata_ = std::move(metadata); }

  size_t size() const { return entries_.size(); }
  // The whole file as bytes.
  std::string serialize() const;
  // Writes atomically; throws IoError.
  void write(const std::string& path) const;

 private:
  struct Entry {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;
    std::vector<unsigned char> bytes;
  };
  Entry& new_entry(std::string name, DType dtype, std::vector<int64_t> shape);
  std::vector<const Entry*> data_order() const;
  std::string header() const;
  std::vector<Entry> entries_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace attnscope::io
