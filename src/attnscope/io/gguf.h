// GGUF (llama.cpp's model file, https://github.com/ggml-org/ggml/blob/master/docs/gguf.md)
// reader: metadata key/values, vocabularies, and F32/F16/BF16 tensors (no quantized types yet).
// Layout: "GGUF" | u32 version (2 or 3) | u64 tensor_count | u64 kv_count | kv pairs | tensor
// infos | padding to general.alignment (default 32) | tensor data. Little-endian only.
// The reader trusts nothing: every length is checked against the bytes left, counts against
// sane limits, value types against the spec, tensor ranges against the data section (in bounds,
// aligned, non-overlapping), names for duplicates. Violations throw FormatError naming the
// file, the key or tensor, and what is wrong.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attnscope/io/mapped_file.h"

namespace attnscope::io {

enum class GgufType : uint32_t {
  u8 = 0, i8 = 1, u16 = 2, i16 = 3, u32 = 4, i32 = 5, f32 = 6, boolean = 7, string = 8, array = 9,
  u64 = 10, i64 = 11, f64 = 12
};
std::string_view gguf_type_name(GgufType t);

// One metadata value. Scalars: number (all numeric types and bool) or str. Arrays: of strings in
// strs, of numbers in nums (converted to double; exact for integers below 2^53).
struct GgufValue {
  GgufType type = GgufType::u8;
  GgufType elem = GgufType::u8;  // element type when type == array
  double num = 0;
  std::string str;
  std::vector<std::string> strs;
  std::vector<double> nums;
  bool is_array() const { return type == GgufType::array; }
  size_t size() const { return elem == GgufType::string ? strs.size() : nums.size(); }
};

// ggml tensor types that can be read (others are named in the error).
enum class GgmlType : uint32_t { F32 = 0, F16 = 1, BF16 = 30 };
std::string ggml_type_name(uint32_t t);

struct GgufTensorInfo {
  std::string name;
  uint32_t type = 0;            // ggml_type
  std::vector<int64_t> shape;   // row-major (outermost first): the reverse of GGUF's ne[]
  uint64_t offset = 0, nbytes = 0;  // within the data section
  int64_t numel() const;
};

class GgufFile {
 public:
  static constexpr uint64_t kMaxCount = 1u << 24;  // keys, tensors, array elements (sanity)

  static GgufFile open(const std::string& path);
  static GgufFile from_bytes(std::string bytes, const std::string& what = "<memory>");

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  const std::map<std::string, GgufValue>& metadata() const { return kv_; }
  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }

  bool has(std::string_view key) const { return kv_.find(std::string(key)) != kv_.end(); }
  // Typed access; FormatError naming the key when missing or of another type.
  const GgufValue& get(std::string_view key) const;
  std::string get_string(std::string_view key) const;
  int64_t get_int(std::string_view key) const;  // any integer type
  double get_float(std::string_view key) const;  // any numeric type
  bool get_bool(std::string_view key) const;
  const std::vector<std::string>& get_strings(std::string_view key) const;
  const std::vector<double>& get_numbers(std::string_view key) const;
  // Defaults when the key is absent (still FormatError when present with a wrong type).
  std::string get_string(std::string_view key, const std::string& dflt) const;
  int64_t get_int(std::string_view key, int64_t dflt) const;
  double get_float(std::string_view key, double dflt) const;
  bool get_bool(std::string_view key, bool dflt) const;

  const GgufTensorInfo* find_tensor(std::string_view name) const;
  const GgufTensorInfo& tensor(std::string_view name) const;  // FormatError when absent
  // F32 / F16 / BF16 tensor as float32 (FormatError for quantized types).
  std::vector<float> read_f32(std::string_view name) const;

 private:
  GgufFile(std::shared_ptr<const MappedFile> file, std::string path);
  void parse();
  std::shared_ptr<const MappedFile> file_;
  std::string path_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32, data_offset_ = 0;
  std::map<std::string, GgufValue> kv_;
  std::vector<GgufTensorInfo> tensors_;
  std::map<std::string, size_t, std::less<>> tensor_index_;
};

}  // namespace attnscope::io
