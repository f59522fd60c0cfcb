#include "attnscope/io/npy.h"

#include <cstring>
#include <map>
#include <optional>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/io/mapped_file.h"
#include "attnscope/io/safetensors.h"

namespace attnscope::io {

namespace {

constexpr std::string_view kMagic = "\x93NUMPY";

// The header's Python literal: a dict of str -> (str | bool | tuple of ints). A small
// recursive-descent parser over exactly that grammar (no eval, no nesting beyond a tuple).
struct PyValue {
  enum Kind { kStr, kBool, kTuple, kOther } kind = kOther;
  std::string str;
  bool boolean = false;
  std::vector<int64_t> ints;
};

class DictParser {
 public:
  DictParser(std::string_view s, const std::string& what) : s_(s), what_(what) {}

  std::map<std::string, PyValue> parse() {
    std::map<std::string, PyValue> out;
    expect('{');
    while (true) {
      skip_ws();
      if (peek() == '}') { ++i_; break; }
      std::string key = parse_str();
      expect(':');
      if (out.count(key)) fail("header repeats key '" + key + "'");
      out[key] = parse_value();
      skip_ws();
      if (peek() == ',') { ++i_; continue; }
      expect('}');
      break;
    }
    skip_ws();
    if (i_ != s_.size()) fail("header has trailing characters after the dict");
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& msg) { throw FormatError("'" + what_ + "': " + msg); }
  void skip_ws() { while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_; }
  char peek() { return i_ < s_.size() ? s_[i_] : '\0'; }
  void expect(char c) {
    skip_ws();
    if (peek() != c) fail(std::string("header: expected '") + c + "' at offset " + std::to_string(i_));
    ++i_;
  }
  std::string parse_str() {
    skip_ws();
    const char q = peek();
    if (q != '\'' && q != '"') fail("header: expected a quoted string at offset " + std::to_string(i_));
    ++i_;
    std::string out;
    while (i_ < s_.size() && s_[i_] != q) {
      if (s_[i_] == '\\') fail("header: escapes in strings are not supported");
      out += s_[i_++];
    }
    if (i_ >= s_.size()) fail("header: unterminated string");
    ++i_;
    return out;
  }
  int64_t parse_int() {
    skip_ws();
    const size_t start = i_;
    uint64_t v = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
      if (v > (uint64_t{1} << 58)) fail("header: shape entry too large");
      v = v * 10 + static_cast<uint64_t>(s_[i_++] - '0');
    }
    if (i_ == start) fail("header: shape entries must be non-negative integers");
    if (peek() == 'L') ++i_;  // Python 2 long suffix, written by old NumPy
    return static_cast<int64_t>(v);
  }
  PyValue parse_value() {
    skip_ws();
    PyValue v;
    const char c = peek();
    if (c == '\'' || c == '"') {
      v.kind = PyValue::kStr;
      v.str = parse_str();
    } else if (s_.substr(i_, 4) == "True") {
      v.kind = PyValue::kBool, v.boolean = true, i_ += 4;
    } else if (s_.substr(i_, 5) == "False") {
      v.kind = PyValue::kBool, v.boolean = false, i_ += 5;
    } else if (c == '(') {
      ++i_;
      v.kind = PyValue::kTuple;
      while (true) {
        skip_ws();
        if (peek() == ')') { ++i_; break; }
        v.ints.push_back(parse_int());
        skip_ws();
        if (peek() == ',') { ++i_; continue; }
        expect(')');
        break;
      }
    } else if (c == '[') {
      fail("structured dtypes are not supported");
    } else {
      fail("header: unexpected value at offset " + std::to_string(i_));
    }
    return v;
  }
  std::string_view s_;
  const std::string& what_;
  size_t i_ = 0;
};

struct Descr {
  DType dtype;
  bool big_endian;
};

Descr parse_descr(const std::string& d, const std::string& what) {
  auto fail = [&](const std::string& why) -> Descr { throw FormatError("'" + what + "': dtype '" + d + "' " + why); };
  if (d.size() < 3) return fail("is not supported");
  const char order = d[0], kind = d[1];
  if (order != '<' && order != '>' && order != '|' && order != '=') return fail("has an unknown byte order");
  const std::string size_str = d.substr(2);
  if (size_str.size() > 1 || size_str[0] < '1' || size_str[0] > '8') return fail("is not supported");
  const int size = size_str[0] - '0';
  std::optional<DType> t;
  if (kind == 'f') t = size == 2 ? DType::F16 : size == 4 ? DType::F32 : size == 8 ? DType::F64 : std::optional<DType>{};
  else if (kind == 'i') t = size == 1 ? DType::I8 : size == 2 ? DType::I16 : size == 4 ? DType::I32 : size == 8 ? DType::I64 : std::optional<DType>{};
  else if (kind == 'u') t = size == 1 ? DType::U8 : size == 2 ? DType::U16 : size == 4 ? DType::U32 : size == 8 ? DType::U64 : std::optional<DType>{};
  else if (kind == 'b' && size == 1) t = DType::BOOL;
  else if (kind == 'O') return fail("is an object array (pickle), which is not supported");
  if (!t) return fail("is not supported (use bool, int, uint or float arrays)");
  return {*t, order == '>'};
}

// numel with overflow detection (nullopt beyond 2^62).
std::optional<uint64_t> numel_of(std::span<const int64_t> shape) {
  uint64_t n = 1;
  for (int64_t d : shape)
    if (d < 0 || __builtin_mul_overflow(n, static_cast<uint64_t>(d), &n) || n > (uint64_t{1} << 62)) return std::nullopt;
  return n;
}

}  // namespace

int64_t NpyArray::numel() const { return static_cast<int64_t>(numel_of(shape).value_or(0)); }

std::vector<float> NpyArray::to_f32() const {
  std::vector<float> out(static_cast<size_t>(numel()));
  convert_to_f32(dtype, data.data(), out.size(), out.data());
  return out;
}

std::vector<int64_t> NpyArray::to_i64() const {
  std::vector<int64_t> out(static_cast<size_t>(numel()));
  convert_to_i64(dtype, data.data(), out.size(), out.data());
  return out;
}

NpyArray parse_npy(std::string_view b, const std::string& what) {
  auto fail = [&](const std::string& msg) { throw FormatError("'" + what + "': " + msg); };
  if (b.size() < 10 || b.substr(0, 6) != kMagic) fail("not a .npy file (no \\x93NUMPY magic)");
  const int major = static_cast<unsigned char>(b[6]);
  if (major < 1 || major > 3) fail("unsupported .npy format version " + std::to_string(major));
  size_t header_len = 0, prefix = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(b[8]) | (static_cast<size_t>(static_cast<unsigned char>(b[9])) << 8);
    prefix = 10;
  } else {
    if (b.size() < 12) fail("truncated .npy preamble");
    uint32_t n;
    std::memcpy(&n, b.data() + 8, 4);
    header_len = n;
    prefix = 12;
  }
  if (header_len > b.size() - prefix)
    fail("header length " + std::to_string(header_len) + " runs past the end of the file (" +
         std::to_string(b.size()) + " bytes; truncated?)");
  const auto dict = DictParser(b.substr(prefix, header_len), what).parse();
  auto get = [&](const char* key, PyValue::Kind kind) -> const PyValue& {
    auto it = dict.find(key);
    if (it == dict.end()) fail(std::string("header has no '") + key + "'");
    if (it->second.kind != kind) fail(std::string("header '") + key + "' has the wrong type");
    return it->second;
  };
  const Descr descr = parse_descr(get("descr", PyValue::kStr).str, what);
  const bool fortran = get("fortran_order", PyValue::kBool).boolean;
  NpyArray a;
  a.dtype = descr.dtype;
  a.shape = get("shape", PyValue::kTuple).ints;
  if (a.shape.size() > 32) fail("shape has " + std::to_string(a.shape.size()) + " dimensions (NumPy allows 32)");
  const size_t esize = dtype_size(a.dtype);
  const auto n = numel_of(a.shape);
  uint64_t want = 0;
  if (!n || __builtin_mul_overflow(*n, esize, &want)) fail("shape " + shape_to_string(a.shape) + " is too large");
  const size_t have = b.size() - prefix - header_len;
  if (have != want)
    fail("shape " + shape_to_string(a.shape) + " needs " + std::to_string(want) + " data bytes, file has " +
         std::to_string(have) + (have < want ? " (truncated?)" : ""));

  const unsigned char* src = reinterpret_cast<const unsigned char*>(b.data()) + prefix + header_len;
  a.data.resize(want);
  if (!fortran || a.shape.size() < 2) {
    if (want) std::memcpy(a.data.data(), src, want);
  } else {
    // Fortran order: the first index varies fastest. Walk C order with an index counter and
    // gather from the Fortran offset.
    const size_t r = a.shape.size();
    std::vector<uint64_t> fstride(r, 1);
    for (size_t k = 1; k < r; ++k) fstride[k] = fstride[k - 1] * static_cast<uint64_t>(a.shape[k - 1]);
    std::vector<int64_t> idx(r, 0);
    for (uint64_t c = 0; c < *n; ++c) {
      uint64_t f = 0;
      for (size_t k = 0; k < r; ++k) f += static_cast<uint64_t>(idx[k]) * fstride[k];
      std::memcpy(a.data.data() + c * esize, src + f * esize, esize);
      for (size_t k = r; k-- > 0;) {
        if (++idx[k] < a.shape[k]) break;
        idx[k] = 0;
      }
    }
  }
  if (descr.big_endian && esize > 1)
    for (size_t i = 0; i < a.data.size(); i += esize)
      for (size_t j = 0; j < esize / 2; ++j) std::swap(a.data[i + j], a.data[i + esize - 1 - j]);
  return a;
}

NpyArray read_npy(const std::string& path) {
  const auto f = MappedFile::open(path);
  return parse_npy(f->view(), path);
}

std::string serialize_npy(DType dtype, std::span<const int64_t> shape, std::span<const unsigned char> bytes) {
  std::string descr;
  switch (dtype) {
    case DType::BOOL: descr = "|b1"; break;
    case DType::U8: descr = "|u1"; break;
    case DType::I8: descr = "|i1"; break;
    case DType::I16: descr = "<i2"; break;
    case DType::U16: descr = "<u2"; break;
    case DType::F16: descr = "<f2"; break;
    case DType::I32: descr = "<i4"; break;
    case DType::U32: descr = "<u4"; break;
    case DType::F32: descr = "<f4"; break;
    case DType::F64: descr = "<f8"; break;
    case DType::I64: descr = "<i8"; break;
    case DType::U64: descr = "<u8"; break;
    default: throw ValueError("npy: NumPy has no dtype for " + std::string(dtype_name(dtype)));
  }
  const auto n = numel_of(shape);
  if (!n || *n * dtype_size(dtype) != bytes.size())
    throw ShapeError("npy: shape " + shape_to_string(shape) + " does not match " + std::to_string(bytes.size()) + " bytes");
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) dict += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? ", " : "");
  if (shape.size() == 1) dict.pop_back();  // "(3,)"
  dict += "), }";
  // Pad so that data start on a 64-byte boundary, header ends with '\n'.
  const bool v2 = dict.size() + 1 + 10 > 65535;
  const size_t prefix = v2 ? 12 : 10;
  const size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  dict.resize(total - prefix - 1, ' ');
  dict += '\n';
  std::string out(kMagic);
  out += static_cast<char>(v2 ? 2 : 1);
  out += '\0';
  const uint32_t hl = static_cast<uint32_t>(dict.size());
  out.append(reinterpret_cast<const char*>(&hl), v2 ? 4 : 2);
  out += dict;
  out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return out;
}

void write_npy(const std::string& path, std::span<const int64_t> shape, std::span<const float> values) {
  write_file_atomic(path, serialize_npy(DType::F32, shape,
                                        {reinterpret_cast<const unsigned char*>(values.data()), values.size_bytes()}));
}

}  // namespace attnscope::io
