#include "attnscope/models/model.h"

#include "attnscope/core/error.h"

namespace attnscope::models {

namespace {
void check_head_mask(const std::vector<uint8_t>& mask, const ModelConfig& c, const char* what) {
  if (!mask.empty() && static_cast<int64_t>(mask.size()) != c.n_layers * c.n_heads)
    throw ValueError(std::string(what) + " mask of " + std::to_string(mask.size()) + " entries for " +
                     std::to_string(c.n_layers) + " layers x " + std::to_string(c.n_heads) + " heads");
}
}  // namespace

void Model::ablate_heads(std::vector<uint8_t> mask) {
  check_head_mask(mask, cfg_, "head ablation");
  head_off_ = std::move(mask);
}

void Model::prune_heads(std::vector<uint8_t> mask) {
  check_head_mask(mask, cfg_, "head pruning");
  head_pruned_ = std::move(mask);
  reset();
}

void Model::stream_cache(int64_t, int64_t window) {
  if (window > 0) throw ConfigError("a bounded sink + window cache needs a Llama-family decoder");
}

void Model::check_tokens(std::span<const int32_t> tokens, int64_t pos0) const {
  if (tokens.empty()) throw ValueError("model input is empty (no tokens)");
  if (pos0 + static_cast<int64_t>(tokens.size()) > cfg_.max_seq)
    throw ValueError("input of " + std::to_string(pos0 + static_cast<int64_t>(tokens.size())) +
                     " tokens is longer than the model's context of " + std::to_string(cfg_.max_seq));
  for (int32_t t : tokens)
    if (t < 0 || t >= cfg_.vocab)
      throw ValueError("token id " + std::to_string(t) + " is outside the model's vocabulary [0, " +
                       std::to_string(cfg_.vocab) + ")");
}

ModelOutput Model::forward_segments(std::span<const int32_t>, std::span<const int32_t>, attention::Recorder*) {
  throw ConfigError(std::string("sentence pairs need an encoder with token types (BERT); this is a ") +
                    arch_name(cfg_.arch) + " model");
}

GradForward Model::grad_forward(std::span<const int32_t>, const Tensor&) const {
  throw ConfigError(std::string("gradient attributions are not available for ") + arch_name(cfg_.arch) +
                    " models (Llama-family and GPT-2 decoders have them)");
}

}  // namespace attnscope::models
