#include "attnscope/io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <set>

#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/io/json_parse.h"
#include "attnscope/core/fs.h"
#include "attnscope/core/half.h"

namespace attnscope::io {

using nlohmann::json;

namespace {
// Element count with overflow detection; nullopt when the product overflows 2^62.
std::optional<uint64_t> checked_numel(std::span<const int64_t> shape) {
  uint64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return std::nullopt;
    if (__builtin_mul_overflow(n, static_cast<uint64_t>(d), &n) || n > (uint64_t{1} << 62)) return std::nullopt;
  }
  return n;
}

}  // namespace

int64_t TensorInfo::numel() const { return static_cast<int64_t>(checked_numel(shape).value_or(0)); }

std::string shape_to_string(std::span<const int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// ---------------------------------------------------------------- reader

SafetensorsFile::SafetensorsFile(std::shared_ptr<const MappedFile> file, std::string path)
    : file_(std::move(file)), path_(std::move(path)) {}

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  SafetensorsFile f(MappedFile::open(path), path);
  f.parse();
  return f;
}

SafetensorsFile SafetensorsFile::from_bytes(std::string bytes, const std::string& what) {
  SafetensorsFile f(MappedFile::from_bytes(std::move(bytes)), what);
  f.parse();
  return f;
}

void SafetensorsFile::parse() {
  auto fail = [&](const std::string& msg) { throw FormatError("'" + path_ + "': " + msg); };
  const uint64_t size = file_->size();
  if (size < 8)
    fail("truncated: " + std::to_string(size) + " bytes, a safetensors file starts with an 8-byte header length");
  uint64_t n = 0;
  std::memcpy(&n, file_->data(), 8);  // little-endian u64 (static_assert in dtype.cpp)
  if (n > kMaxHeaderBytes)
    fail("header length " + std::to_string(n) + " exceeds the " + std::to_string(kMaxHeaderBytes) +
         "-byte limit (not a safetensors file?)");
  if (n > size - 8)
    fail("header length " + std::to_string(n) + " runs past the end of the file (" + std::to_string(size) +
         " bytes; truncated?)");
  header_bytes_ = n;
  data_offset_ = 8 + n;
  const uint64_t data_size = size - data_offset_;

  const char* h = reinterpret_cast<const char*>(file_->data()) + 8;
  // nlohmann's lexer stops at a NUL as if the input ended; JSON text never contains one.
  if (const void* nul = std::memchr(h, 0, n))
    fail("header is not valid JSON: NUL byte at header offset " + std::to_string(static_cast<const char*>(nul) - h));
  // Depth bound and duplicate tensor names in one SAX pass (io/json_parse.h), then the document.
  JsonLimits limits;
  limits.unique_top_keys = true;
  const json header = parse_json(std::string_view(h, n), "'" + path_ + "': header", limits);
  if (!header.is_object()) fail("header is not a JSON object");

  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const json& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) fail("__metadata__ is not a JSON object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) fail("__metadata__ value of '" + m.key() + "' is not a string");
        metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor '" + name + "'";
    if (name.empty()) fail("a tensor has an empty name");
    if (!v.is_object()) fail(where + " is not a JSON object");
    if (!v.contains("dtype") || !v["dtype"].is_string()) fail(where + " has no dtype string");
    if (!v.contains("shape") || !v["shape"].is_array()) fail(where + " has no shape array");
    if (!v.contains("data_offsets") || !v["data_offsets"].is_array() || v["data_offsets"].size() != 2)
      fail(where + " has no data_offsets [begin, end]");
    TensorInfo t;
    t.name = name;
    const std::string dt = v["dtype"].get<std::string>();
    const auto parsed = parse_dtype(dt);
    if (!parsed) fail(where + " has unknown dtype '" + dt + "'");
    t.dtype = *parsed;
    for (const json& d : v["shape"]) {
      if (!d.is_number_unsigned() || d.get<uint64_t>() > (uint64_t{1} << 62))
        fail(where + " has a shape entry that is not a non-negative integer: " + d.dump());
      t.shape.push_back(static_cast<int64_t>(d.get<uint64_t>()));
    }
    for (const json& o : v["data_offsets"])
      if (!o.is_number_unsigned()) fail(where + " has a data offset that is not a non-negative integer");
    t.begin = v["data_offsets"][0].get<uint64_t>();
    t.end = v["data_offsets"][1].get<uint64_t>();
    if (t.end < t.begin)
      fail(where + " has data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) + "] with end < begin");
    const auto numel = checked_numel(t.shape);
    uint64_t want = 0;
    if (!numel || __builtin_mul_overflow(*numel, dtype_size(t.dtype), &want))
      fail(where + " has a shape too large: " + shape_to_string(t.shape));
    if (t.end - t.begin != want)
      fail(where + " has shape " + shape_to_string(t.shape) + " x " + dt + " = " + std::to_string(want) +
           " bytes but data_offsets span " + std::to_string(t.end - t.begin) + " bytes");
    if (t.end > data_size)
      fail(where + " data_offsets end " + std::to_string(t.end) + " lies past the end of the data section (" +
           std::to_string(data_size) + " bytes; truncated?)");
    tensors_.push_back(std::move(t));
  }

  std::sort(tensors_.begin(), tensors_.end(), [](const TensorInfo& a, const TensorInfo& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  // Non-overlap: sorted by begin, each range must start at or after every earlier range's end
  // (zero-byte tensors occupy no bytes but still may not sit inside another tensor's bytes).
  uint64_t reach = 0;
  const TensorInfo* reach_by = nullptr;
  for (const auto& t : tensors_) {
    if (reach_by && t.begin < reach)
      fail("tensors '" + reach_by->name + "' and '" + t.name + "' overlap in the data section");
    if (t.end >= reach) {
      reach = t.end;
      reach_by = &t;
    }
  }
  for (size_t i = 0; i < tensors_.size(); ++i) index_.emplace(tensors_[i].name, i);
}

const TensorInfo* SafetensorsFile::find(std::string_view name) const {
  const auto it = index_.find(std::string(name));
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

const TensorInfo& SafetensorsFile::info(std::string_view name) const {
  const TensorInfo* t = find(name);
  if (!t) throw FormatError("'" + path_ + "' has no tensor '" + std::string(name) + "'");
  return *t;
}

std::span<const unsigned char> SafetensorsFile::raw(std::string_view name) const {
  const TensorInfo& t = info(name);
  return {file_->data() + data_offset_ + t.begin, static_cast<size_t>(t.nbytes())};
}

void SafetensorsFile::read_f32(std::string_view name, std::span<float> out) const {
  const TensorInfo& t = info(name);
  if (out.size() != static_cast<size_t>(t.numel()))
    throw ShapeError("read_f32: tensor '" + t.name + "' " + shape_to_string(t.shape) + " has " +
                     std::to_string(t.numel()) + " elements, buffer holds " + std::to_string(out.size()));
  convert_to_f32(t.dtype, raw(name).data(), out.size(), out.data());
}

std::vector<float> SafetensorsFile::read_f32(std::string_view name) const {
  std::vector<float> out(static_cast<size_t>(info(name).numel()));
  read_f32(name, out);
  return out;
}

std::vector<int64_t> SafetensorsFile::read_i64(std::string_view name) const {
  const TensorInfo& t = info(name);
  std::vector<int64_t> out(static_cast<size_t>(t.numel()));
  try {
    convert_to_i64(t.dtype, raw(name).data(), out.size(), out.data());
  } catch (const FormatError& e) {
    throw FormatError("'" + path_ + "' tensor '" + t.name + "': " + e.what());
  }
  return out;
}

// ---------------------------------------------------------------- writer

SafetensorsWriter::Entry& SafetensorsWriter::new_entry(std::string name, DType dtype, std::vector<int64_t> shape) {
  if (name.empty() || name == "__metadata__")
    throw ValueError("safetensors: invalid tensor name '" + name + "'");
  for (const auto& e : entries_)
    if (e.name == name) throw ValueError("safetensors: tensor '" + name + "' added twice");
  const auto numel = checked_numel(shape);
  if (!numel) throw ShapeError("safetensors: tensor '" + name + "' has invalid shape " + shape_to_string(shape));
  Entry& e = entries_.emplace_back(Entry{std::move(name), dtype, std::move(shape), {}});
  e.bytes.resize(*numel * dtype_size(dtype));
  return e;
}

void SafetensorsWriter::add(std::string name, DType dtype, std::vector<int64_t> shape,
                            std::span<const unsigned char> bytes) {
  const auto numel = checked_numel(shape);
  if (!numel || *numel * dtype_size(dtype) != bytes.size())
    throw ShapeError("safetensors: tensor '" + name + "' shape " + shape_to_string(shape) + " x " +
                     std::string(dtype_name(dtype)) + " does not match " + std::to_string(bytes.size()) + " bytes");
  Entry& e = new_entry(std::move(name), dtype, std::move(shape));
  if (!bytes.empty()) std::memcpy(e.bytes.data(), bytes.data(), bytes.size());
}

namespace {
template <typename T>
std::span<const unsigned char> as_bytes(std::span<const T> v) {
  return {reinterpret_cast<const unsigned char*>(v.data()), v.size_bytes()};
}
void check_count(const std::string& name, std::span<const int64_t> shape, size_t n) {
  const auto numel = checked_numel(shape);
  if (!numel || *numel != n)
    throw ShapeError("safetensors: tensor '" + name + "' shape " + shape_to_string(shape) + " does not match " +
                     std::to_string(n) + " values");
}
}  // namespace

void SafetensorsWriter::add_f32(std::string name, std::vector<int64_t> shape, std::span<const float> v) {
  add(std::move(name), DType::F32, std::move(shape), as_bytes(v));
}
void SafetensorsWriter::add_i32(std::string name, std::vector<int64_t> shape, std::span<const int32_t> v) {
  add(std::move(name), DType::I32, std::move(shape), as_bytes(v));
}
void SafetensorsWriter::add_i64(std::string name, std::vector<int64_t> shape, std::span<const int64_t> v) {
  add(std::move(name), DType::I64, std::move(shape), as_bytes(v));
}
void SafetensorsWriter::add_u8(std::string name, std::vector<int64_t> shape, std::span<const uint8_t> v) {
  add(std::move(name), DType::U8, std::move(shape), as_bytes(v));
}
void SafetensorsWriter::add_f16(std::string name, std::vector<int64_t> shape, std::span<const float> v) {
  check_count(name, shape, v.size());
  Entry& e = new_entry(std::move(name), DType::F16, std::move(shape));
  for (size_t i = 0; i < v.size(); ++i) {
    const uint16_t h = f32_to_f16(v[i]);
    std::memcpy(e.bytes.data() + 2 * i, &h, 2);
  }
}
void SafetensorsWriter::add_bf16(std::string name, std::vector<int64_t> shape, std::span<const float> v) {
  check_count(name, shape, v.size());
  Entry& e = new_entry(std::move(name), DType::BF16, std::move(shape));
  for (size_t i = 0; i < v.size(); ++i) {
    const uint16_t h = f32_to_bf16(v[i]);
    std::memcpy(e.bytes.data() + 2 * i, &h, 2);
  }
}

namespace {
uint64_t padded8(uint64_t n) { return (n + 7) & ~uint64_t{7}; }
}  // namespace

// Data are contiguous with no gaps (the reference implementation rejects gaps), ordered by
// element size, largest first, so that every tensor is aligned to its element size in the file.
std::vector<const SafetensorsWriter::Entry*> SafetensorsWriter::data_order() const {
  std::vector<const Entry*> order;
  for (const auto& e : entries_) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(),
                   [](const Entry* a, const Entry* b) { return dtype_size(a->dtype) > dtype_size(b->dtype); });
  return order;
}

std::string SafetensorsWriter::header() const {
  json h = json::object();
  if (!metadata_.empty()) h["__metadata__"] = metadata_;
  uint64_t offset = 0;
  for (const Entry* e : data_order()) {
    const uint64_t begin = offset, end = begin + e->bytes.size();
    h[e->name] = {{"dtype", std::string(dtype_name(e->dtype))}, {"shape", e->shape}, {"data_offsets", {begin, end}}};
    offset = end;
  }
  // Invalid UTF-8 in names or metadata would make dump() throw: replace it instead.
  std::string s = h.dump(-1, ' ', false, json::error_handler_t::replace);
  s.resize(padded8(8 + s.size()) - 8, ' ');  // the data section starts 8-byte aligned
  return s;
}

std::string SafetensorsWriter::serialize() const {
  const std::string h = header();
  std::string out;
  const uint64_t n = h.size();
  out.append(reinterpret_cast<const char*>(&n), 8);
  out += h;
  for (const Entry* e : data_order()) out.append(reinterpret_cast<const char*>(e->bytes.data()), e->bytes.size());
  return out;
}

void SafetensorsWriter::write(const std::string& path) const {
  const std::string h = header();
  write_atomic_with(path, [&](const std::string& tmp) {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw IoError("cannot create '" + path + "': " + std::strerror(errno));
    const uint64_t n = h.size();
    bool ok = std::fwrite(&n, 8, 1, f) == 1 && std::fwrite(h.data(), 1, h.size(), f) == h.size();
    for (const Entry* e : data_order())
      ok = ok && std::fwrite(e->bytes.data(), 1, e->bytes.size(), f) == e->bytes.size();
    ok = (std::fclose(f) == 0) && ok;
    if (!ok) throw IoError("cannot write '" + path + "': disk full or I/O error");
  });
}

}  // namespace attnscope::io
