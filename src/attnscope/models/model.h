// Model: an imported pretrained network ready for inference (Llama-family decoders, GPT-2,
// BERT encoders), loaded from a checkpoint whose format is detected (load_model in loader.h).
// Decoders keep a KV cache: forward() appends tokens at position() and returns their logits,
// so a prompt is one call and each generated token one more. Encoders run the whole sequence.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "attnscope/models/grad_forward.h"
#include "attnscope/models/model_config.h"

namespace attnscope::models {

}  // namespace attnscope::models

namespace attnscope::attention {
class Recorder;
}  // namespace attnscope::attention

namespace attnscope::models {

struct ModelOutput {
  enum class Kind { token_logits, class_logits, hidden };
  Kind kind = Kind::token_logits;
  int64_t rows = 0, cols = 0;  // token_logits [T, V]; class_logits [1, labels]; hidden [T, C]
  std::vector<float> values;
};

class Model {
 public:
  virtual ~Model() = default;
  const ModelConfig& config() const { return cfg_; }
  virtual bool is_decoder() const = 0;
  // Decoders: tokens continue the cached sequence (positions position()..position()+T-1); the
  // result holds their next-token logits. Encoders: tokens are the whole input (cache unused).
  // capture (may be null) records every attention call (site_name(layer), query rows at their
  // positions, so a prompt then one call per token gives the trace of one full forward). Throws ValueError for token ids
  // outside the vocabulary or a sequence longer than the context.
  virtual ModelOutput forward(std::span<const int32_t> tokens, attention::Recorder* capture = nullptr) = 0;
  // Encoders with token types (BERT's sentence pairs): forward with segments[t] the type of token t
  // (0: sentence A, 1: sentence B). ConfigError for models without token types; ValueError for
  // segments of another length than tokens or a type the model does not have.
  virtual ModelOutput forward_segments(std::span<const int32_t> tokens, std::span<const int32_t> segments,
                                       attention::Recorder* capture = nullptr);
  // The same forward over tokens at positions 0..T-1 (the cache untouched) built on autograd, for
  // gradient attributions (models/attribution.h). embeddings [T, C], when given, replaces the
  // tokens' embeddings as the first block's input (integrated gradients, finite differences).
  // Ablated heads are not applied. ConfigError for a model family that has none; ValueError as
  // forward(); ShapeError for embeddings of another shape.
  virtual GradForward grad_forward(std::span<const int32_t> tokens, const Tensor& embeddings = {}) const;
  // Forgets the cached sequence (decoders).
  virtual void reset() {}
  // StreamingLLM (Xiao et al. 2023): a bounded KV cache holding the first `sinks` tokens and the
  // `window` most recent ones, so a decoder runs past its context; positions are cache slots
  // (RoPE by slot, as the paper does). window 0: off. Forgets the cached sequence. ConfigError
  // for models without it (all but Llama-family), ValueError when sinks + window exceeds the
  // context or window < 1 with sinks > 0.
  virtual void stream_cache(int64_t sinks, int64_t window);
  int64_t position() const { return pos_; }
  // Names of the attention sites, in layer order ("layers.0.attn", "h.3.attn", ...).
  virtual std::string site_name(int64_t layer) const = 0;
  // Where the weights came from (file, format).
  const std::string& source() const { return source_; }
  // Head ablation (Michel et al. 2019): mask [n_layers * n_heads], 1 = the head's attention output
  // is zeroed; empty = none. ValueError for another size.
  void ablate_heads(std::vector<uint8_t> mask);
  // Head pruning: the same mask shape, 1 = the head is not computed at all (its attention is
  // skipped by the kernel; Llama also skips its q/k/v/o projection columns), so its output is
  // zero as with ablate_heads, and the forward is faster. Forgets the cached sequence (cached
  // keys of pruned heads were never written). Not applied by grad_forward. ValueError as above.
  void prune_heads(std::vector<uint8_t> mask);

 protected:
  // The ablation mask of one layer's heads, or nullptr.
  const uint8_t* ablated(int64_t layer) const {
    return head_off_.empty() ? nullptr : head_off_.data() + layer * cfg_.n_heads;
  }
  // The pruning mask of one layer's heads, or nullptr.
  const uint8_t* pruned(int64_t layer) const {
    return head_pruned_.empty() ? nullptr : head_pruned_.data() + layer * cfg_.n_heads;
  }
  std::vector<uint8_t> head_off_, head_pruned_;
  void check_tokens(std::span<const int32_t> tokens, int64_t pos0) const;
  ModelConfig cfg_;
  int64_t pos_ = 0;
  std::string source_;
};

}  // namespace attnscope::models
