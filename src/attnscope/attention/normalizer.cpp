#include "attnscope/attention/normalizer.h"

#include "attnscope/attention/entmax.h"
#include "attnscope/attention/sparsemax.h"
#include "attnscope/autograd/ops.h"

namespace attnscope::attention {

const char* normalizer_name(Normalizer n) {
  switch (n) {
    case Normalizer::softmax: return "softmax";
    case Normalizer::sparsemax: return "sparsemax";
    case Normalizer::entmax15: return "entmax15";
  }
  return "?";
}

std::optional<Normalizer> normalizer_from_name(std::string_view name) {
  for (Normalizer n : {Normalizer::softmax, Normalizer::sparsemax, Normalizer::entmax15})
    if (name == normalizer_name(n)) return n;
  return std::nullopt;
}

WeightKind normalizer_kind(Normalizer n) { return n == Normalizer::softmax ? WeightKind::soft : WeightKind::sparse; }

Tensor normalize(const Tensor& scores, const Tensor& mask, Normalizer n) {
  switch (n) {
    case Normalizer::sparsemax: return sparsemax(scores, mask);
    case Normalizer::entmax15: return entmax15(scores, mask);
    case Normalizer::softmax: break;
  }
  return ops::softmax(scores, mask);
}

}  // namespace attnscope::attention
