// Embedding: a lookup table weight [V, C] (PyTorch layout), initialized N(0, 1) like
// torch.nn.Embedding. Token ids travel as std::vector<int64_t> with their shape.
#pragma once
#include "attnscope/nn/module.h"

namespace attnscope::nn {

class Embedding : public Module {
 public:
  Embedding(int64_t num_embeddings, int64_t dim, Rng& rng);
  std::string type_name() const override { return "Embedding"; }

  // ids with shape ids_shape (e.g. [B, T]) -> ids_shape + [C]. Ids outside [0, V) throw.
  Tensor forward(const std::vector<int64_t>& ids, const Shape& ids_shape) const;

  int64_t num_embeddings() const { return num_; }
  int64_t dim() const { return dim_; }
  const Tensor& weight() const { return weight_; }

 private:
  int64_t num_, dim_;
  Tensor weight_;  // [V, C]
};

}  // namespace attnscope::nn
