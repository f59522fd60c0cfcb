#include "attnscope/nn/embedding.h"

#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::nn {

Embedding::Embedding(int64_t num_embeddings, int64_t dim, Rng& rng) : num_(num_embeddings), dim_(dim) {
  if (num_embeddings <= 0 || dim <= 0)
    throw ConfigError("Embedding: sizes must be positive, got V=" + std::to_string(num_embeddings) +
                      " C=" + std::to_string(dim));
  weight_ = register_parameter("weight", Tensor::randn(Shape{num_, dim_}, rng));
}

Tensor Embedding::forward(const std::vector<int64_t>& ids, const Shape& ids_shape) const {
  if (static_cast<int64_t>(ids.size()) != ids_shape.numel())
    throw ShapeError("Embedding: " + std::to_string(ids.size()) + " ids for shape " + ids_shape.str());
  return ops::embedding(weight_, ids, ids_shape);
}

}  // namespace attnscope::nn
