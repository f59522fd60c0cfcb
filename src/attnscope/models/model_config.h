// ModelConfig: the hyper-parameters of an imported architecture, read from whichever source the
// checkpoint came with (HF config.json, llama2.c header or ModelArgs-style config.json, GGUF
// metadata). Validated on construction: a bad value is a ConfigError naming the key.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace attnscope::io { class GgufFile; }

namespace attnscope::models {

enum class Arch { llama, gpt2, bert };
const char* arch_name(Arch a);

struct ModelConfig {
  Arch arch = Arch::llama;
  int64_t dim = 0;         // C
  int64_t n_layers = 0;
  int64_t n_heads = 0;     // NH
  int64_t n_kv_heads = 0;  // NKV (GQA); = NH unless llama says otherwise
  int64_t head_dim = 0;    // HS
  int64_t hidden = 0;      // feed-forward width
  int64_t vocab = 0;       // V
  int64_t max_seq = 0;     // context length
  float norm_eps = 1e-5f;
  float rope_theta = 10000.0f;
  bool rope_interleaved = false;  // llama: pairs (2i, 2i+1) (Meta, llama2.c, GGUF) vs halves (HF)
  bool tied_output = false;       // llama: output projection = token embedding
  std::string activation;         // gpt2/bert: "gelu_new" (tanh) or "gelu" (erf)
  int64_t type_vocab = 0;         // bert: token types
  int64_t num_labels = 0;         // bert: > 0 with a sequence-classification head
  std::vector<std::string> labels;  // bert: id2label
  int64_t bos = -1, eos = -1;

  // Checks positivity and divisibility; ConfigError naming `where` and the field.
  void validate(const std::string& where) const;
};

// From a Hugging Face config.json (model_type llama/mistral, gpt2, bert) or a llama2.c
// ModelArgs-style config.json (dim, n_layers, ...). ConfigError for an unknown architecture.
ModelConfig config_from_json(const nlohmann::json& j, const std::string& where);
// From GGUF metadata (general.architecture llama, gpt2, bert).
ModelConfig config_from_gguf(const io::GgufFile& f);

}  // namespace attnscope::models
