#include "attnscope/nn/checkpoint.h"
#include "attnscope/io/json_parse.h"

#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <type_traits>

#include "attnscope/core/error.h"
#include "attnscope/io/safetensors.h"

namespace attnscope::nn {
namespace {

using json = nlohmann::json;
constexpr const char* kFormat = "attnscope.checkpoint";
constexpr const char* kOptPrefix = "optimizer/";

// Rng is a plain value: four words of xoshiro state, the cached normal and its flag (x86-64
// layout: bytes 0-31 state, 32-39 spare, 40 has_spare, 41-47 padding). Its bytes are its state;
// stored as hex with the padding zeroed, and a loaded flag byte must be 0 or 1 (a bool holding
// anything else would be undefined behaviour).
static_assert(std::is_trivially_copyable_v<Rng> && std::is_standard_layout_v<Rng> && sizeof(Rng) == 48);
constexpr size_t kRngFlagByte = 40;

std::string rng_to_hex(const Rng& r) {
  unsigned char b[sizeof(Rng)];
  std::memcpy(b, &r, sizeof(Rng));
  std::memset(b + kRngFlagByte + 1, 0, sizeof(Rng) - kRngFlagByte - 1);
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (unsigned char c : b) {
    s += kHex[c >> 4];
    s += kHex[c & 15];
  }
  return s;
}

bool rng_from_hex(const std::string& s, Rng& r) {
  if (s.size() != 2 * sizeof(Rng)) return false;
  unsigned char b[sizeof(Rng)];
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < sizeof(Rng); ++i) {
    const int hi = nib(s[2 * i]), lo = nib(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    b[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  if (b[kRngFlagByte] > 1) return false;
  std::memcpy(&r, b, sizeof(Rng));
  return true;
}

std::vector<int64_t> dims(const Tensor& t) { return t.shape().vec(); }

json parse_json(const std::string& path, const std::string& key, const std::string& text) {
  return io::parse_json(text, "checkpoint '" + path + "': metadata '" + key + "'");
}

const std::string& meta_get(const io::SafetensorsFile& f, const std::string& key) {
  auto it = f.metadata().find(key);
  if (it == f.metadata().end())
    throw FormatError("checkpoint '" + f.path() + "': metadata has no '" + key + "'");
  return it->second;
}

CheckpointMeta meta_of(const io::SafetensorsFile& f) {
  auto it = f.metadata().find("format");
  if (it == f.metadata().end() || it->second != kFormat)
    throw FormatError("'" + f.path() + "' is not an attnscope checkpoint (no format = " + kFormat +
                      " in its metadata)");
  if (meta_get(f, "format_version") != "1")
    throw FormatError("checkpoint '" + f.path() + "': unsupported format_version '" +
                      meta_get(f, "format_version") + "'");
  CheckpointMeta m;
  m.model_type = meta_get(f, "model_type");
  m.config = meta_get(f, "config");
  m.training = meta_get(f, "training");
  parse_json(f.path(), "config", m.config);
  parse_json(f.path(), "training", m.training);
  const std::string& step = meta_get(f, "step");
  try {
    size_t used = 0;
    m.step = std::stoll(step, &used);
    if (used != step.size() || m.step < 0) throw std::invalid_argument("step");
  } catch (const std::exception&) {
    throw FormatError("checkpoint '" + f.path() + "': bad step '" + step + "'");
  }
  return m;
}

Tensor read_tensor(const io::SafetensorsFile& f, const io::TensorInfo& info) {
  Tensor t = Tensor::empty(Shape(info.shape));
  f.read_f32(info.name, std::span<float>(t.data<float>(), static_cast<size_t>(t.numel())));
  return t;
}

}  // namespace

void save_checkpoint(const std::string& path, Module& model, const CheckpointMeta& meta,
                     const Optimizer* optimizer, const NamedRngs& extra_rngs) {
  io::SafetensorsWriter w;
  for (const auto& [name, p] : model.named_parameters()) {
    Tensor c = p.contiguous();
    if (c.dtype() != DType::f32) c = c.to(DType::f32);
    w.add_f32(name, dims(c), std::span<const float>(c.data<float>(), static_cast<size_t>(c.numel())));
  }
  w.set_metadata("format", kFormat);
  w.set_metadata("format_version", "1");
  w.set_metadata("model_type", meta.model_type);
  w.set_metadata("config", meta.config);
  w.set_metadata("training", meta.training);
  w.set_metadata("step", std::to_string(meta.step));
  if (optimizer) {
    const OptimizerState s = optimizer->state();
    json o = {{"type", s.type}, {"steps", s.steps}, {"hyper", s.hyper}};
    w.set_metadata("optimizer", o.dump());
    for (const auto& [name, t] : s.tensors)
      w.add_f32(kOptPrefix + name, dims(t),
                std::span<const float>(t.data<float>(), static_cast<size_t>(t.numel())));
  }
  json rngs = json::object();
  for (const auto& [name, r] : model.named_rngs()) rngs[name] = rng_to_hex(*r);
  for (const auto& [name, r] : extra_rngs) rngs[name] = rng_to_hex(*r);
  w.set_metadata("rng", rngs.dump());
  w.write(path);
}

CheckpointMeta read_checkpoint_meta(const std::string& path) {
  return meta_of(io::SafetensorsFile::open(path));
}

CheckpointMeta read_checkpoint_meta(const io::SafetensorsFile& file) { return meta_of(file); }

CheckpointMeta load_checkpoint(const std::string& path, Module& model,
                               const std::string& expected_model_type, Optimizer* optimizer,
                               const NamedRngs& extra_rngs) {
  return load_checkpoint(io::SafetensorsFile::open(path), model, expected_model_type, optimizer, extra_rngs);
}

CheckpointMeta load_checkpoint(const io::SafetensorsFile& f, Module& model,
                               const std::string& expected_model_type, Optimizer* optimizer,
                               const NamedRngs& extra_rngs) {
  const std::string& path = f.path();
  const CheckpointMeta meta = meta_of(f);
  const std::string where = "checkpoint '" + path + "'";
  if (!expected_model_type.empty() && meta.model_type != expected_model_type)
    throw FormatError(where + " holds a '" + meta.model_type + "' model, expected '" +
                      expected_model_type + "'");

  // 1. Validate the model's tensors: all present with the right shapes, nothing unexpected.
  const NamedTensors params = model.named_parameters();
  std::set<std::string> known;
  for (const auto& [name, p] : params) {
    known.insert(name);
    const io::TensorInfo* info = f.find(name);
    if (!info) throw FormatError(where + ": missing tensor '" + name + "' (" + model.type_name() + " parameter)");
    if (Shape(info->shape) != p.shape())
      throw FormatError(where + ": tensor '" + name + "' has shape " + io::shape_to_string(info->shape) +
                        ", the model expects " + p.shape().str());
  }
  for (const auto& info : f.tensors())
    if (!known.count(info.name) && info.name.rfind(kOptPrefix, 0) != 0)
      throw FormatError(where + ": unexpected tensor '" + info.name + "' (not a parameter of " +
                        model.type_name() + ")");

  // 2. Optimizer state (validated by load_state before it changes anything).
  OptimizerState ostate;
  if (optimizer) {
    auto it = f.metadata().find("optimizer");
    if (it == f.metadata().end()) throw FormatError(where + ": has no optimizer state");
    const json o = parse_json(path, "optimizer", it->second);
    try {
      ostate.type = o.at("type").get<std::string>();
      ostate.steps = o.at("steps").get<int64_t>();
      ostate.hyper = o.at("hyper").get<std::map<std::string, double>>();
    } catch (const json::exception&) {
      throw FormatError(where + ": optimizer metadata lacks type, steps or hyper");
    }
    for (const auto& info : f.tensors())
      if (info.name.rfind(kOptPrefix, 0) == 0)
        ostate.tensors.emplace_back(info.name.substr(std::strlen(kOptPrefix)), read_tensor(f, info));
  }

  // 3. RNG streams.
  NamedRngs rngs = model.named_rngs();
  rngs.insert(rngs.end(), extra_rngs.begin(), extra_rngs.end());
  std::vector<Rng> rng_values(rngs.size());
  if (!rngs.empty()) {
    const json r = parse_json(path, "rng", meta_get(f, "rng"));
    for (size_t i = 0; i < rngs.size(); ++i) {
      const std::string& name = rngs[i].first;
      if (!r.is_object() || !r.contains(name) || !r[name].is_string() ||
          !rng_from_hex(r[name].get<std::string>(), rng_values[i]))
        throw FormatError(where + ": missing or malformed RNG state '" + name + "'");
    }
  }

  // 4. Apply.
  if (optimizer) {
    try {
      optimizer->load_state(ostate);
    } catch (const FormatError& e) {
      throw FormatError(where + ": " + e.what());
    }
  }
  for (const auto& [name, p] : params) {
    Tensor t = p;
    f.read_f32(name, std::span<float>(t.data<float>(), static_cast<size_t>(t.numel())));
  }
  for (size_t i = 0; i < rngs.size(); ++i) *rngs[i].second = rng_values[i];
  return meta;
}

}  // namespace attnscope::nn
