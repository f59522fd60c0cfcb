#include "attnscope/models/loader.h"
#include "attnscope/io/json_parse.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/io/gguf.h"
#include "attnscope/models/bert.h"
#include "attnscope/models/gguf_tokenizer.h"
#include "attnscope/models/gpt2.h"
#include "attnscope/models/llama.h"
#include "attnscope/models/weight_source.h"

namespace attnscope::models {

namespace fs = std::filesystem;

namespace {

const char* kExpected =
    "expected a directory with config.json + model.safetensors (or model.safetensors.index.json), a .safetensors "
    "file with config.json beside it, a .gguf file, or a llama2.c .bin";

std::vector<fs::path> files_with_ext(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ext) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

ModelConfig read_config(const fs::path& file) {
  const nlohmann::json j = io::parse_json(read_file(file.string()), file.string());
  return config_from_json(j, file.string());
}

std::unique_ptr<Model> build(const ModelConfig& cfg, const WeightSource& src) {
  switch (cfg.arch) {
    case Arch::llama: return std::make_unique<LlamaModel>(cfg, src);
    case Arch::gpt2: return std::make_unique<Gpt2Model>(cfg, src);
    case Arch::bert: return std::make_unique<BertModel>(cfg, src);
  }
  throw ConfigError("unknown architecture");
}

std::unique_ptr<Model> load_gguf(const fs::path& p) {
  auto f = std::make_shared<io::GgufFile>(io::GgufFile::open(p.string()));
  if (f->tensors().empty()) throw FormatError(p.string() + ": GGUF holds no tensors (a vocabulary-only file?)");
  const ModelConfig cfg = config_from_gguf(*f);
  return build(cfg, *open_gguf_weights(f));
}

std::unique_ptr<Model> load_llama2c(const fs::path& p) {
  ModelConfig cfg;
  auto src = open_llama2c_bin(p.string(), cfg);
  return build(cfg, *src);
}

}  // namespace

std::unique_ptr<Model> load_model(const std::string& path) {
  const fs::path p(path);
  if (!fs::exists(p)) throw IoError(path + ": no such model file or directory");
  if (fs::is_directory(p)) {
    const bool has_config = fs::exists(p / "config.json");
    std::vector<fs::path> st = files_with_ext(p, ".safetensors");
    if (has_config && (fs::exists(p / "model.safetensors") || fs::exists(p / "model.safetensors.index.json")))
      return build(read_config(p / "config.json"), *open_safetensors(p.string()));
    if (has_config && st.size() == 1) return build(read_config(p / "config.json"), *open_safetensors(st[0].string()));
    if (auto g = files_with_ext(p, ".gguf"); g.size() == 1) return load_gguf(g[0]);
    for (const auto& b : files_with_ext(p, ".bin")) {
      const std::string n = b.filename().string();
      if (n.rfind("tok", 0) != 0 && n != "pytorch_model.bin") return load_llama2c(b);
    }
    if (fs::exists(p / "pytorch_model.bin"))
      throw ConfigError(path + ": PyTorch pickle checkpoints (pytorch_model.bin) are not supported; convert to "
                               "safetensors");
    throw ConfigError(path + ": no model found; " + kExpected);
  }
  const std::string ext = p.extension().string();
  if (ext == ".gguf") return load_gguf(p);
  if (ext == ".safetensors" || p.filename() == "model.safetensors.index.json") {
    const fs::path cfg = p.parent_path() / "config.json";
    if (!fs::exists(cfg)) throw ConfigError(path + ": a safetensors checkpoint needs config.json beside it");
    return build(read_config(cfg), *open_safetensors(p.string()));
  }
  if (ext == ".bin") return load_llama2c(p);
  throw ConfigError(path + ": unknown model format; " + kExpected);
}

std::unique_ptr<data::Tokenizer> load_model_tokenizer(const std::string& model_path, const std::string& override_path) {
  if (!override_path.empty()) {
    if (fs::path(override_path).extension() == ".gguf") return tokenizer_from_gguf(io::GgufFile::open(override_path));
    return data::load_tokenizer(override_path);
  }
  const fs::path p(model_path);
  if (p.extension() == ".gguf") return tokenizer_from_gguf(io::GgufFile::open(model_path));
  const fs::path dir = fs::is_directory(p) ? p : p.parent_path();
  const std::string found = data::find_tokenizer_file(dir.empty() ? "." : dir.string());
  if (!found.empty()) return data::load_tokenizer(found);
  if (auto g = files_with_ext(dir, ".gguf"); g.size() == 1) return tokenizer_from_gguf(io::GgufFile::open(g[0].string()));
  throw ConfigError(model_path + ": no tokenizer beside the model (looked for tokenizer.json, vocab.json + merges.txt, "
                                 "vocab.txt, tokenizer.bin, tok*.bin, a .gguf); name the tokenizer file explicitly");
}

}  // namespace attnscope::models
