#include "attnscope/models/model.h"

#include "attnscope/core/error.h"

namespace attnscope::models {

void Model::ablate_heads(std::vector<uint8_t> mask) {
  if (!mask.empty() && static_cast<int64_t>(mask.size()) != cfg_.n_layers * cfg_.n_heads)
    throw ValueError("head ablation mask of " + std::to_string(mask.size()) + " entries for " +
                     std::to_string(cfg_.n_layers) + " layers x " + std::to_string(cfg_.n_heads) + " heads");
  head_off_ = std::move(mask);
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

GradForward Model::grad_forward(std::span<const int32_t>, const Tensor&) const {
  throw ConfigError(std::string("gradient attributions are not available for ") + arch_name(cfg_.arch) +
                    " models (Llama-family and GPT-2 decoders have them)");
}

}  // namespace attnscope::models
