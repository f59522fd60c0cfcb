// GGUF parsing with a bounds-checked cursor: every read names what it was reading when the
// bytes run out, so a truncated or corrupt file gives one precise line.
#include "attnscope/io/gguf.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "attnscope/core/error.h"
#include "attnscope/core/half.h"

namespace attnscope::io {

namespace {

class Cursor {
 public:
  Cursor(const unsigned char* p, size_t n, const std::string& path) : p_(p), n_(n), path_(path) {}
  size_t pos() const { return pos_; }
  size_t left() const { return n_ - pos_; }
  void need(size_t k, const std::string& what) const {
    if (k > left())
      throw FormatError(path_ + ": GGUF truncated reading " + what + " at byte " + std::to_string(pos_) + " (need " +
                        std::to_string(k) + " bytes, " + std::to_string(left()) + " left)");
  }
  template <class T>
  T read(const std::string& what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, p_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string str(const std::string& what) {
    const uint64_t len = read<uint64_t>(what + " length");
    need(len, what);
    std::string s(reinterpret_cast<const char*>(p_ + pos_), len);
    pos_ += len;
    return s;
  }
  [[noreturn]] void fail(const std::string& msg) const { throw FormatError(path_ + ": " + msg); }

 private:
  const unsigned char* p_;
  size_t n_, pos_ = 0;
  const std::string& path_;
};

size_t scalar_size(GgufType t) {
  switch (t) {
    case GgufType::u8: case GgufType::i8: case GgufType::boolean: return 1;
    case GgufType::u16: case GgufType::i16: return 2;
    case GgufType::u32: case GgufType::i32: case GgufType::f32: return 4;
    case GgufType::u64: case GgufType::i64: case GgufType::f64: return 8;
    default: return 0;
  }
}

double read_number(Cursor& c, GgufType t, const std::string& what) {
  switch (t) {
    case GgufType::u8: return c.read<uint8_t>(what);
    case GgufType::i8: return c.read<int8_t>(what);
    case GgufType::u16: return c.read<uint16_t>(what);
    case GgufType::i16: return c.read<int16_t>(what);
    case GgufType::u32: return c.read<uint32_t>(what);
    case GgufType::i32: return c.read<int32_t>(what);
    case GgufType::f32: return c.read<float>(what);
    case GgufType::u64: return static_cast<double>(c.read<uint64_t>(what));
    case GgufType::i64: return static_cast<double>(c.read<int64_t>(what));
    case GgufType::f64: return c.read<double>(what);
    case GgufType::boolean: {
      const uint8_t b = c.read<uint8_t>(what);
      if (b > 1) c.fail(what + ": bool value " + std::to_string(b) + " is neither 0 nor 1");
      return b;
    }
    default: c.fail(what + ": not a numeric type");
  }
}

bool is_integer_type(GgufType t) {
  return t != GgufType::f32 && t != GgufType::f64 && t != GgufType::string && t != GgufType::array &&
         t != GgufType::boolean;
}

size_t ggml_type_size(uint32_t t) {
  switch (t) {
    case 0: return 4;
    case 1: case 30: return 2;
    default: return 0;
  }
}

}  // namespace

std::string_view gguf_type_name(GgufType t) {
  static constexpr const char* kNames[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32",
                                           "bool", "string", "array", "u64", "i64", "f64"};
  const auto i = static_cast<uint32_t>(t);
  return i < 13 ? kNames[i] : "unknown";
}

std::string ggml_type_name(uint32_t t) {
  static constexpr const char* kNames[] = {"F32", "F16", "Q4_0", "Q4_1", "Q4_2", "Q4_3", "Q5_0", "Q5_1", "Q8_0",
                                           "Q8_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS",
                                           "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS",
                                           "I8", "I16", "I32", "I64", "F64", "IQ1_M", "BF16"};
  return t < 31 ? kNames[t] : "type " + std::to_string(t);
}

int64_t GgufTensorInfo::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

GgufFile::GgufFile(std::shared_ptr<const MappedFile> file, std::string path)
    : file_(std::move(file)), path_(std::move(path)) {}

GgufFile GgufFile::open(const std::string& path) {
  GgufFile f(MappedFile::open(path), path);
  f.parse();
  return f;
}

GgufFile GgufFile::from_bytes(std::string bytes, const std::string& what) {
  GgufFile f(MappedFile::from_bytes(std::move(bytes)), what);
  f.parse();
  return f;
}

void GgufFile::parse() {
  Cursor c(file_->data(), file_->size(), path_);
  c.need(4, "the magic");
  if (std::memcmp(file_->data(), "GGUF", 4) != 0) c.fail("not a GGUF file (magic is not 'GGUF')");
  c.read<uint32_t>("magic");
  version_ = c.read<uint32_t>("the version");
  if (version_ != 2 && version_ != 3)
    c.fail("GGUF version " + std::to_string(version_) + " is not supported (expected 2 or 3)");
  const uint64_t n_tensors = c.read<uint64_t>("the tensor count");
  const uint64_t n_kv = c.read<uint64_t>("the key/value count");
  if (n_tensors > kMaxCount || n_kv > kMaxCount)
    c.fail("implausible counts (" + std::to_string(n_tensors) + " tensors, " + std::to_string(n_kv) + " keys)");

  for (uint64_t i = 0; i < n_kv; ++i) {
    std::string key = c.str("key " + std::to_string(i));
    if (kv_.count(key)) c.fail("duplicate key '" + key + "'");
    GgufValue v;
    const uint32_t t = c.read<uint32_t>("the type of '" + key + "'");
    if (t > 12) c.fail("key '" + key + "' has unknown value type " + std::to_string(t));
    v.type = static_cast<GgufType>(t);
    if (v.type == GgufType::string) {
      v.str = c.str("the value of '" + key + "'");
    } else if (v.type == GgufType::array) {
      const uint32_t et = c.read<uint32_t>("the element type of '" + key + "'");
      if (et > 12 || et == static_cast<uint32_t>(GgufType::array))
        c.fail("key '" + key + "' is an array of unsupported element type " + std::to_string(et));
      v.elem = static_cast<GgufType>(et);
      const uint64_t n = c.read<uint64_t>("the length of '" + key + "'");
      // Each element takes at least its scalar size (8 bytes of length for a string).
      const size_t min_elem = v.elem == GgufType::string ? 8 : scalar_size(v.elem);
      if (n > kMaxCount || n * min_elem > c.left())
        c.fail("key '" + key + "' claims " + std::to_string(n) + " elements, more than the file holds");
      if (v.elem == GgufType::string) {
        v.strs.reserve(n);
        for (uint64_t k = 0; k < n; ++k) v.strs.push_back(c.str("element " + std::to_string(k) + " of '" + key + "'"));
      } else {
        v.nums.reserve(n);
        for (uint64_t k = 0; k < n; ++k) v.nums.push_back(read_number(c, v.elem, "an element of '" + key + "'"));
      }
    } else {
      v.num = read_number(c, v.type, "the value of '" + key + "'");
    }
    kv_.emplace(std::move(key), std::move(v));
  }
  if (has("general.alignment")) {
    const int64_t a = get_int("general.alignment");
    if (a <= 0 || a > (1 << 20) || (a & (a - 1)) != 0)
      c.fail("general.alignment " + std::to_string(a) + " is not a power of two");
    alignment_ = static_cast<uint64_t>(a);
  }

  for (uint64_t i = 0; i < n_tensors; ++i) {
    GgufTensorInfo ti;
    ti.name = c.str("tensor name " + std::to_string(i));
    if (tensor_index_.count(ti.name)) c.fail("duplicate tensor '" + ti.name + "'");
    const uint32_t nd = c.read<uint32_t>("the rank of tensor '" + ti.name + "'");
    if (nd == 0 || nd > 4) c.fail("tensor '" + ti.name + "' has rank " + std::to_string(nd) + " (expected 1..4)");
    std::vector<int64_t> ne(nd);
    uint64_t numel = 1;
    for (auto& d : ne) {
      const uint64_t x = c.read<uint64_t>("a dimension of '" + ti.name + "'");
      if (x == 0 || x > (uint64_t{1} << 40) || numel > (uint64_t{1} << 40) / x)
        c.fail("tensor '" + ti.name + "' has an invalid dimension " + std::to_string(x));
      numel *= x;
      d = static_cast<int64_t>(x);
    }
    ti.shape.assign(ne.rbegin(), ne.rend());
    ti.type = c.read<uint32_t>("the type of '" + ti.name + "'");
    ti.offset = c.read<uint64_t>("the offset of '" + ti.name + "'");
    if (ti.offset % alignment_) c.fail("tensor '" + ti.name + "' offset " + std::to_string(ti.offset) + " is not aligned");
    // Byte size is known for readable types; others are checked when (if) they become readable.
    ti.nbytes = numel * ggml_type_size(ti.type);
    tensor_index_.emplace(ti.name, tensors_.size());
    tensors_.push_back(std::move(ti));
  }
  data_offset_ = (c.pos() + alignment_ - 1) / alignment_ * alignment_;
  if (!tensors_.empty() && data_offset_ > file_->size()) c.fail("tensor data section starts past the end of the file");
  const uint64_t data_bytes = file_->size() - std::min<uint64_t>(data_offset_, file_->size());
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (const auto& t : tensors_) {
    if (t.offset > data_bytes || t.nbytes > data_bytes - t.offset)
      c.fail("tensor '" + t.name + "' (" + std::to_string(t.nbytes) + " bytes at " + std::to_string(t.offset) +
             ") runs past the end of the file");
    if (t.nbytes) ranges.emplace_back(t.offset, t.offset + t.nbytes);
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i)
    if (ranges[i].first < ranges[i - 1].second) c.fail("two tensors overlap in the data section");
}

const GgufValue& GgufFile::get(std::string_view key) const {
  auto it = kv_.find(std::string(key));
  if (it == kv_.end()) throw FormatError(path_ + ": GGUF has no key '" + std::string(key) + "'");
  return it->second;
}

namespace {
[[noreturn]] void wrong_type(const std::string& path, std::string_view key, const GgufValue& v, const char* want) {
  throw FormatError(path + ": GGUF key '" + std::string(key) + "' is " +
                    (v.is_array() ? "an array of " + std::string(gguf_type_name(v.elem)) : std::string(gguf_type_name(v.type))) +
                    ", expected " + want);
}
}  // namespace

std::string GgufFile::get_string(std::string_view key) const {
  const GgufValue& v = get(key);
  if (v.type != GgufType::string) wrong_type(path_, key, v, "a string");
  return v.str;
}
int64_t GgufFile::get_int(std::string_view key) const {
  const GgufValue& v = get(key);
  if (!is_integer_type(v.type)) wrong_type(path_, key, v, "an integer");
  // u64 values above 2^63 do not fit (and converting them would be undefined behaviour).
  if (!(v.num < 9.2e18 && v.num > -9.2e18))
    throw FormatError(path_ + ": GGUF key '" + std::string(key) + "' holds an integer out of range");
  return static_cast<int64_t>(v.num);
}
double GgufFile::get_float(std::string_view key) const {
  const GgufValue& v = get(key);
  if (v.type == GgufType::string || v.type == GgufType::array || v.type == GgufType::boolean)
    wrong_type(path_, key, v, "a number");
  return v.num;
}
bool GgufFile::get_bool(std::string_view key) const {
  const GgufValue& v = get(key);
  if (v.type != GgufType::boolean) wrong_type(path_, key, v, "a bool");
  return v.num != 0;
}
const std::vector<std::string>& GgufFile::get_strings(std::string_view key) const {
  const GgufValue& v = get(key);
  if (!v.is_array() || v.elem != GgufType::string) wrong_type(path_, key, v, "an array of strings");
  return v.strs;
}
const std::vector<double>& GgufFile::get_numbers(std::string_view key) const {
  const GgufValue& v = get(key);
  if (!v.is_array() || v.elem == GgufType::string) wrong_type(path_, key, v, "an array of numbers");
  return v.nums;
}
std::string GgufFile::get_string(std::string_view key, const std::string& dflt) const {
  return has(key) ? get_string(key) : dflt;
}
int64_t GgufFile::get_int(std::string_view key, int64_t dflt) const { return has(key) ? get_int(key) : dflt; }
double GgufFile::get_float(std::string_view key, double dflt) const { return has(key) ? get_float(key) : dflt; }
bool GgufFile::get_bool(std::string_view key, bool dflt) const { return has(key) ? get_bool(key) : dflt; }

const GgufTensorInfo* GgufFile::find_tensor(std::string_view name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

const GgufTensorInfo& GgufFile::tensor(std::string_view name) const {
  const GgufTensorInfo* t = find_tensor(name);
  if (!t) throw FormatError(path_ + ": GGUF has no tensor '" + std::string(name) + "'");
  return *t;
}

std::vector<float> GgufFile::read_f32(std::string_view name) const {
  const GgufTensorInfo& t = tensor(name);
  const size_t n = static_cast<size_t>(t.numel());
  const unsigned char* src = file_->data() + data_offset_ + t.offset;
  std::vector<float> out(n);
  switch (t.type) {
    case 0:
      std::memcpy(out.data(), src, n * 4);
      break;
    case 1:
    case 30:
      for (size_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, src + 2 * i, 2);
        out[i] = t.type == 1 ? f16_to_f32(h) : bf16_to_f32(h);
      }
      break;
    default:
      throw FormatError(path_ + ": tensor '" + t.name + "' has type " + ggml_type_name(t.type) +
                        "; only F32, F16 and BF16 tensors are supported (no quantized types yet)");
  }
  return out;
}

}  // namespace attnscope::io
