#include "attnscope/models/model_config.h"

#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/io/gguf.h"

namespace attnscope::models {

using nlohmann::json;

const char* arch_name(Arch a) {
  switch (a) {
    case Arch::llama: return "llama";
    case Arch::gpt2: return "gpt2";
    case Arch::bert: return "bert";
  }
  return "?";
}

void ModelConfig::validate(const std::string& where) const {
  auto pos = [&](int64_t v, const char* name) {
    if (v <= 0 || v > (int64_t{1} << 31))
      throw ConfigError(where + ": " + name + " must be a positive integer, got " + std::to_string(v));
  };
  pos(dim, "hidden size");
  pos(n_layers, "layer count");
  pos(n_heads, "head count");
  pos(n_kv_heads, "key/value head count");
  pos(head_dim, "head size");
  pos(hidden, "feed-forward size");
  pos(vocab, "vocabulary size");
  pos(max_seq, "context length");
  if (n_heads % n_kv_heads)
    throw ConfigError(where + ": " + std::to_string(n_heads) + " heads are not a multiple of " +
                      std::to_string(n_kv_heads) + " key/value heads");
  if (arch != Arch::llama && n_heads * head_dim != dim)
    throw ConfigError(where + ": hidden size " + std::to_string(dim) + " is not divisible into " +
                      std::to_string(n_heads) + " heads");
  if (arch == Arch::llama && head_dim % 2)
    throw ConfigError(where + ": RoPE needs an even head size, got " + std::to_string(head_dim));
  if (!(norm_eps > 0.0f) || !(rope_theta > 0.0f)) throw ConfigError(where + ": norm eps and rope theta must be > 0");
  if (arch == Arch::bert) pos(type_vocab, "type_vocab_size");
}

namespace {

constexpr int64_t kMaxLabels = int64_t{1} << 20;  // classifier labels: sized before any weight is read

int64_t get_int(const json& j, const char* key, const std::string& where, int64_t dflt = -1) {
  if (!j.contains(key) || j[key].is_null()) {
    if (dflt >= 0) return dflt;
    throw ConfigError(where + ": config has no '" + key + "'");
  }
  if (!j[key].is_number_integer()) throw ConfigError(where + ": '" + key + "' must be an integer");
  return j[key].get<int64_t>();
}
double get_num(const json& j, const char* key, const std::string& where, double dflt) {
  if (!j.contains(key) || j[key].is_null()) return dflt;
  if (!j[key].is_number()) throw ConfigError(where + ": '" + key + "' must be a number");
  return j[key].get<double>();
}

}  // namespace

// The fields of a config.json; config_from_json turns the JSON library's type errors into ours.
static ModelConfig config_fields(const json& j, const std::string& where) {
  if (!j.is_object()) throw ConfigError(where + ": config is not a JSON object");
  ModelConfig c;
  std::string type = j.value("model_type", "");
  if (type.empty() && j.contains("dim") && j.contains("n_layers")) type = "llama2c";
  if (type == "llama" || type == "mistral") {
    c.arch = Arch::llama;
    c.dim = get_int(j, "hidden_size", where);
    c.n_layers = get_int(j, "num_hidden_layers", where);
    c.n_heads = get_int(j, "num_attention_heads", where);
    c.n_kv_heads = get_int(j, "num_key_value_heads", where, c.n_heads);
    c.head_dim = get_int(j, "head_dim", where, c.n_heads > 0 ? c.dim / c.n_heads : 0);
    c.hidden = get_int(j, "intermediate_size", where);
    c.vocab = get_int(j, "vocab_size", where);
    c.max_seq = get_int(j, "max_position_embeddings", where, 2048);
    c.norm_eps = static_cast<float>(get_num(j, "rms_norm_eps", where, 1e-6));
    c.rope_theta = static_cast<float>(get_num(j, "rope_theta", where, 10000.0));
    c.tied_output = j.value("tie_word_embeddings", false);
    c.rope_interleaved = false;  // HF checkpoints are permuted for the half-split rotation
    if (j.contains("rope_scaling") && !j["rope_scaling"].is_null())
      throw ConfigError(where + ": rope_scaling is not supported");
  } else if (type == "llama2c") {
    c.arch = Arch::llama;
    c.dim = get_int(j, "dim", where);
    c.n_layers = get_int(j, "n_layers", where);
    c.n_heads = get_int(j, "n_heads", where);
    c.n_kv_heads = get_int(j, "n_kv_heads", where, c.n_heads);
    c.head_dim = get_int(j, "head_dim", where, c.n_heads > 0 ? c.dim / c.n_heads : 0);
    c.hidden = get_int(j, "hidden_dim", where);
    c.vocab = get_int(j, "vocab_size", where);
    c.max_seq = get_int(j, "max_seq_len", where);
    c.norm_eps = static_cast<float>(get_num(j, "norm_eps", where, 1e-5));
    c.rope_theta = static_cast<float>(get_num(j, "rope_theta", where, 10000.0));
    c.tied_output = j.value("tie_word_embeddings", true);
    c.rope_interleaved = true;  // Meta / llama2.c layout
  } else if (type == "gpt2") {
    c.arch = Arch::gpt2;
    c.dim = get_int(j, "n_embd", where);
    c.n_layers = get_int(j, "n_layer", where);
    c.n_heads = c.n_kv_heads = get_int(j, "n_head", where);
    c.head_dim = c.n_heads > 0 ? c.dim / c.n_heads : 0;
    c.hidden = get_int(j, "n_inner", where, 4 * c.dim);
    c.vocab = get_int(j, "vocab_size", where);
    c.max_seq = get_int(j, "n_positions", where, 1024);
    c.norm_eps = static_cast<float>(get_num(j, "layer_norm_epsilon", where, 1e-5));
    c.activation = j.value("activation_function", "gelu_new");
    c.tied_output = true;
  } else if (type == "bert") {
    c.arch = Arch::bert;
    c.dim = get_int(j, "hidden_size", where);
    c.n_layers = get_int(j, "num_hidden_layers", where);
    c.n_heads = c.n_kv_heads = get_int(j, "num_attention_heads", where);
    c.head_dim = c.n_heads > 0 ? c.dim / c.n_heads : 0;
    c.hidden = get_int(j, "intermediate_size", where);
    c.vocab = get_int(j, "vocab_size", where);
    c.max_seq = get_int(j, "max_position_embeddings", where, 512);
    c.type_vocab = get_int(j, "type_vocab_size", where, 2);
    c.norm_eps = static_cast<float>(get_num(j, "layer_norm_eps", where, 1e-12));
    c.activation = j.value("hidden_act", "gelu");
    if (j.value("position_embedding_type", "absolute") != "absolute")
      throw ConfigError(where + ": only absolute position embeddings are supported");
    bool classifier = false;
    if (j.contains("architectures") && j["architectures"].is_array())
      for (const auto& a : j["architectures"])
        classifier |= a.is_string() && a.get<std::string>() == "BertForSequenceClassification";
    if (classifier) {
      if (j.contains("id2label") && j["id2label"].is_object()) {
        c.num_labels = static_cast<int64_t>(j["id2label"].size());
        c.labels.assign(c.num_labels, "");
        for (auto it = j["id2label"].begin(); it != j["id2label"].end(); ++it) {
          const int64_t id = std::stoll(it.key());
          if (id < 0 || id >= c.num_labels || !it.value().is_string())
            throw ConfigError(where + ": id2label must map 0..N-1 to strings");
          c.labels[id] = it.value().get<std::string>();
        }
      } else {
        c.num_labels = get_int(j, "num_labels", where, 2);
        if (c.num_labels < 1 || c.num_labels > kMaxLabels)
          throw ConfigError(where + ": num_labels must be in 1.." + std::to_string(kMaxLabels) + ", got " +
                            std::to_string(c.num_labels));
        for (int64_t i = 0; i < c.num_labels; ++i) c.labels.push_back("LABEL_" + std::to_string(i));
      }
    }
  } else {
    throw ConfigError(where + ": unknown architecture '" + (type.empty() ? std::string("(no model_type)") : type) +
                      "' (supported: llama, mistral, gpt2, bert, llama2.c ModelArgs)");
  }
  if (c.activation.size() && c.activation != "gelu" && c.activation != "gelu_new" && c.activation != "gelu_pytorch_tanh")
    throw ConfigError(where + ": activation '" + c.activation + "' is not supported (gelu, gelu_new)");
  c.bos = j.contains("bos_token_id") && j["bos_token_id"].is_number_integer() ? j["bos_token_id"].get<int64_t>() : -1;
  c.eos = j.contains("eos_token_id") && j["eos_token_id"].is_number_integer() ? j["eos_token_id"].get<int64_t>() : -1;
  c.validate(where);
  return c;
}

ModelConfig config_from_json(const json& j, const std::string& where) {
  try {
    return config_fields(j, where);
  } catch (const json::exception& e) {  // e.g. "tie_word_embeddings": 0, "model_type": 5
    throw FormatError(where + ": " + plain_message(e));
  }
}

ModelConfig config_from_gguf(const io::GgufFile& f) {
  const std::string arch = f.get_string("general.architecture");
  const std::string p = arch + ".";
  ModelConfig c;
  if (arch == "llama") c.arch = Arch::llama;
  else if (arch == "gpt2") c.arch = Arch::gpt2;
  else if (arch == "bert") c.arch = Arch::bert;
  else throw ConfigError(f.path() + ": unknown GGUF architecture '" + arch + "' (supported: llama, gpt2, bert)");
  c.dim = f.get_int(p + "embedding_length");
  c.n_layers = f.get_int(p + "block_count");
  c.n_heads = f.get_int(p + "attention.head_count");
  c.n_kv_heads = f.get_int(p + "attention.head_count_kv", c.n_heads);
  c.head_dim = c.n_heads > 0 ? c.dim / c.n_heads : 0;
  c.hidden = f.get_int(p + "feed_forward_length");
  c.max_seq = f.get_int(p + "context_length");
  c.vocab = f.has(p + "vocab_size") ? f.get_int(p + "vocab_size")
            : f.has("tokenizer.ggml.tokens") ? static_cast<int64_t>(f.get_strings("tokenizer.ggml.tokens").size())
                                             : 0;
  if (c.arch == Arch::llama) {
    c.norm_eps = static_cast<float>(f.get_float(p + "attention.layer_norm_rms_epsilon", 1e-5));
    c.rope_theta = static_cast<float>(f.get_float(p + "rope.freq_base", 10000.0));
    c.rope_interleaved = true;  // llama.cpp's converter undoes HF's permutation
  } else {
    c.norm_eps = static_cast<float>(f.get_float(p + "attention.layer_norm_epsilon", 1e-5));
    c.activation = c.arch == Arch::gpt2 ? "gelu_new" : "gelu";
    c.type_vocab = f.get_int("tokenizer.ggml.token_type_count", 2);
  }
  c.bos = f.get_int("tokenizer.ggml.bos_token_id", -1);
  c.eos = f.get_int("tokenizer.ggml.eos_token_id", -1);
  c.validate(f.path());
  return c;
}

}  // namespace attnscope::models
