// The row normalizers an attention mechanism can use to turn scores into weights.
//   softmax   dense, exp(s) / sum exp(s)
//   sparsemax exact zeros (Martins & Astudillo 2016), sparsemax.h
//   entmax15  exact zeros, smoother (Peters et al. 2019), entmax.h
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "attnscope/attention/recorder.h"
#include "attnscope/tensor/tensor.h"

namespace attnscope::attention {

enum class Normalizer : uint8_t { softmax, sparsemax, entmax15 };
const char* normalizer_name(Normalizer n);
// The normalizer normalizer_name() calls `name`; nullopt for any other name.
std::optional<Normalizer> normalizer_from_name(std::string_view name);
WeightKind normalizer_kind(Normalizer n);  // soft for softmax, sparse otherwise

// Weights over the last dim of scores + mask (additive, broadcastable, -inf excludes a key).
Tensor normalize(const Tensor& scores, const Tensor& mask, Normalizer n);

}  // namespace attnscope::attention
