// The shapes of q, k and v in one phrase, for the shape errors of the attention entry points.
#pragma once
#include <string>

#include "attnscope/tensor/tensor.h"

namespace attnscope::attention {

inline std::string qkv_dims(const Tensor& q, const Tensor& k, const Tensor& v) {
  return "q " + q.str() + ", k " + k.str() + ", v " + v.str();
}

}  // namespace attnscope::attention
