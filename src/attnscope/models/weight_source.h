// WeightSource: named float tensors from a checkpoint, whatever its container: safetensors
// (one file or a sharded model.safetensors.index.json), GGUF, or a llama2.c .bin (exposed under
// Meta/llama2.c model.py names). Architectures map their parameters onto source names through a
// table (see the kNames tables in llama.cpp, gpt2.cpp, bert.cpp), never through code paths.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace attnscope::io { class GgufFile; }

namespace attnscope::models {

struct ModelConfig;

class WeightSource {
 public:
  virtual ~WeightSource() = default;
  virtual const std::string& path() const = 0;
  virtual bool has(const std::string& name) const = 0;
  // Row-major shape (outermost first).
  virtual std::vector<int64_t> shape(const std::string& name) const = 0;
  // As float32 (F32/F16/BF16 sources); FormatError for unsupported dtypes.
  virtual std::vector<float> read(const std::string& name) const = 0;

  // read() after checking presence and shape: FormatError "missing tensor" or "has shape [..],
  // the config implies [..]" naming the file.
  std::vector<float> load(const std::string& name, const std::vector<int64_t>& expected) const;
};

// A name pattern with "{i}" replaced by the layer index.
std::string layer_name(const char* pattern, int64_t i);
// Reverses [ROWS, COLS] row-major into [COLS, ROWS] (GPT-2 Conv1D [in, out] -> Linear [out, in]).
std::vector<float> transposed(const std::vector<float>& w, int64_t rows, int64_t cols);

// model.safetensors, a sharded checkpoint's index (model.safetensors.index.json), or a
// directory holding either.
std::unique_ptr<WeightSource> open_safetensors(const std::string& path);
std::unique_ptr<WeightSource> open_gguf_weights(std::shared_ptr<const io::GgufFile> file);
// llama2.c legacy .bin: 7 int32 header then float32 arrays; fills cfg from the header.
std::unique_ptr<WeightSource> open_llama2c_bin(const std::string& path, ModelConfig& cfg);

}  // namespace attnscope::models
