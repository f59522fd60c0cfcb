#include "attnscope/models/weight_source.h"
#include "attnscope/io/json_parse.h"

#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/io/gguf.h"
#include "attnscope/io/mapped_file.h"
#include "attnscope/io/safetensors.h"
#include "attnscope/models/model_config.h"

namespace attnscope::models {

namespace fs = std::filesystem;

namespace {

std::string shape_str(const std::vector<int64_t>& s) {
  std::string o = "[";
  for (size_t i = 0; i < s.size(); ++i) o += (i ? ", " : "") + std::to_string(s[i]);
  return o + "]";
}

class SafetensorsSource : public WeightSource {
 public:
  explicit SafetensorsSource(std::string path) : path_(std::move(path)) {}
  void add_shard(const std::string& file) { shards_.push_back(io::SafetensorsFile::open(file)); }
  void map(const std::string& name, size_t shard) { where_[name] = shard; }
  void map_all() {
    for (size_t s = 0; s < shards_.size(); ++s)
      for (const auto& t : shards_[s].tensors()) where_.emplace(t.name, s);
  }
  const std::string& path() const override { return path_; }
  bool has(const std::string& name) const override { return where_.count(name) > 0; }
  std::vector<int64_t> shape(const std::string& name) const override {
    return shard(name).info(name).shape;
  }
  std::vector<float> read(const std::string& name) const override {
    const auto& f = shard(name);
    if (!io::dtype_is_float(f.info(name).dtype))
      throw FormatError(f.path() + ": tensor '" + name + "' has dtype " + std::string(io::dtype_name(f.info(name).dtype)) +
                        "; weights must be F32, F16 or BF16");
    return f.read_f32(name);
  }

 private:
  const io::SafetensorsFile& shard(const std::string& name) const {
    auto it = where_.find(name);
    if (it == where_.end()) throw FormatError(path_ + ": missing tensor '" + name + "'");
    return shards_[it->second];
  }
  std::string path_;
  std::vector<io::SafetensorsFile> shards_;
  std::map<std::string, size_t> where_;
};

class GgufSource : public WeightSource {
 public:
  explicit GgufSource(std::shared_ptr<const io::GgufFile> f) : f_(std::move(f)) {}
  const std::string& path() const override { return f_->path(); }
  bool has(const std::string& name) const override { return f_->find_tensor(name) != nullptr; }
  std::vector<int64_t> shape(const std::string& name) const override { return f_->tensor(name).shape; }
  std::vector<float> read(const std::string& name) const override { return f_->read_f32(name); }

 private:
  std::shared_ptr<const io::GgufFile> f_;
};

class Llama2cSource : public WeightSource {
 public:
  Llama2cSource(std::string path, ModelConfig& c) : path_(std::move(path)), file_(io::MappedFile::open(path_)) {
    int32_t h[7];
    if (file_->size() < sizeof h) throw FormatError(path_ + ": too short for a llama2.c checkpoint header");
    std::memcpy(h, file_->data(), sizeof h);
    c.arch = Arch::llama;
    c.dim = h[0];
    c.hidden = h[1];
    c.n_layers = h[2];
    c.n_heads = h[3];
    c.n_kv_heads = h[4];
    c.tied_output = h[5] > 0;  // llama2.c: a negative vocab size means a separate classifier
    c.vocab = h[5] < 0 ? -static_cast<int64_t>(h[5]) : h[5];
    c.max_seq = h[6];
    c.head_dim = c.n_heads > 0 ? c.dim / c.n_heads : 0;
    c.norm_eps = 1e-5f;
    c.rope_theta = 10000.0f;
    c.rope_interleaved = true;
    c.bos = 1;
    c.eos = 2;
    c.validate(path_ + " (llama2.c header)");
    if (c.dim % c.n_heads) throw ConfigError(path_ + ": dim is not divisible by n_heads");
    // The arrays in file order, under Meta's model.py names.
    const int64_t C = c.dim, L = c.n_layers, KV = c.n_kv_heads * c.head_dim, H = c.hidden, V = c.vocab;
    const int64_t HS = c.head_dim, S = c.max_seq;
    size_t off = sizeof h;
    auto add = [&](const std::string& name, std::vector<int64_t> shape) {
      int64_t n = 1;
      for (int64_t d : shape) {
        if (d <= 0 || n > static_cast<int64_t>(file_->size()) / 4 / d)
          throw FormatError(path_ + ": the llama2.c header implies tensor '" + name + "' larger than the file");
        n *= d;
      }
      // Cumulative: a header claiming 2^31 layers of tiny tensors must fail at the first tensor
      // past the end, not after filling a map with billions of entries.
      if (static_cast<uint64_t>(n) * 4 > file_->size() - std::min<uint64_t>(off, file_->size()))
        throw FormatError(path_ + ": the llama2.c header implies tensor '" + name + "' past the end of the file");
      entries_[name] = {off, std::move(shape)};
      off += static_cast<size_t>(n) * 4;
    };
    auto per_layer = [&](const std::string& pattern, std::vector<int64_t> shape) {
      for (int64_t l = 0; l < L; ++l) add("layers." + std::to_string(l) + "." + pattern, shape);
    };
    add("tok_embeddings.weight", {V, C});
    per_layer("attention_norm.weight", {C});
    per_layer("attention.wq.weight", {C, C});
    per_layer("attention.wk.weight", {KV, C});
    per_layer("attention.wv.weight", {KV, C});
    per_layer("attention.wo.weight", {C, C});
    per_layer("ffn_norm.weight", {C});
    per_layer("feed_forward.w1.weight", {H, C});
    per_layer("feed_forward.w2.weight", {C, H});
    per_layer("feed_forward.w3.weight", {H, C});
    add("norm.weight", {C});
    if (static_cast<double>(S) * static_cast<double>(HS) * 4.0 > static_cast<double>(file_->size()))
      throw FormatError(path_ + ": the llama2.c header implies RoPE tables larger than the file");
    off += static_cast<size_t>(S * HS / 2) * 4 * 2;  // freq_cis_real, freq_cis_imag (unused)
    if (!c.tied_output) add("output.weight", {V, C});
    if (off != file_->size())
      throw FormatError(path_ + ": a llama2.c checkpoint with this header holds " + std::to_string(off) +
                        " bytes, the file has " + std::to_string(file_->size()));
  }
  const std::string& path() const override { return path_; }
  bool has(const std::string& name) const override { return entries_.count(name) > 0; }
  std::vector<int64_t> shape(const std::string& name) const override { return entry(name).second; }
  std::vector<float> read(const std::string& name) const override {
    const auto& [off, shape] = entry(name);
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::vector<float> out(static_cast<size_t>(n));
    std::memcpy(out.data(), file_->data() + off, out.size() * 4);
    return out;
  }

 private:
  const std::pair<size_t, std::vector<int64_t>>& entry(const std::string& name) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) throw FormatError(path_ + ": missing tensor '" + name + "'");
    return it->second;
  }
  std::string path_;
  std::shared_ptr<const io::MappedFile> file_;
  std::map<std::string, std::pair<size_t, std::vector<int64_t>>> entries_;
};

}  // namespace

std::string layer_name(const char* pattern, int64_t i) {
  std::string s = pattern;
  const size_t p = s.find("{i}");
  if (p != std::string::npos) s.replace(p, 3, std::to_string(i));
  return s;
}

std::vector<float> transposed(const std::vector<float>& w, int64_t rows, int64_t cols) {
  std::vector<float> t(w.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) t[c * rows + r] = w[r * cols + c];
  return t;
}

std::vector<float> WeightSource::load(const std::string& name, const std::vector<int64_t>& expected) const {
  if (!has(name)) throw FormatError(path() + ": missing tensor '" + name + "'");
  const auto s = shape(name);
  if (s != expected)
    throw FormatError(path() + ": tensor '" + name + "' has shape " + shape_str(s) + ", the config implies " +
                      shape_str(expected));
  return read(name);
}

std::unique_ptr<WeightSource> open_safetensors(const std::string& path) {
  fs::path p(path);
  if (fs::is_directory(p)) {
    if (fs::exists(p / "model.safetensors")) p /= "model.safetensors";
    else if (fs::exists(p / "model.safetensors.index.json")) p /= "model.safetensors.index.json";
    else throw ConfigError(path + ": no model.safetensors or model.safetensors.index.json");
  }
  auto src = std::make_unique<SafetensorsSource>(p.string());
  if (p.extension() == ".json") {
    const nlohmann::json j = io::parse_json(read_file(p.string()), p.string());
    if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
      throw FormatError(p.string() + ": a sharded index needs a \"weight_map\" object");
    std::map<std::string, size_t> shard_of_file;
    for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
      if (!it.value().is_string()) throw FormatError(p.string() + ": weight_map values must be file names");
      const std::string file = it.value().get<std::string>();
      if (file.find('/') != std::string::npos || file.find("..") != std::string::npos)
        throw FormatError(p.string() + ": shard name '" + file + "' must be a plain file name");
      auto [pos, fresh] = shard_of_file.emplace(file, shard_of_file.size());
      if (fresh) src->add_shard((p.parent_path() / file).string());
      src->map(it.key(), pos->second);
    }
  } else {
    src->add_shard(p.string());
    src->map_all();
  }
  return src;
}

std::unique_ptr<WeightSource> open_gguf_weights(std::shared_ptr<const io::GgufFile> file) {
  return std::make_unique<GgufSource>(std::move(file));
}

std::unique_ptr<WeightSource> open_llama2c_bin(const std::string& path, ModelConfig& cfg) {
  return std::make_unique<Llama2cSource>(path, cfg);
}

}  // namespace attnscope::models
