// Internal helper of the row-wise normalizers (sparsemax, entmax): scores + additive mask as a
// dense tensor, checked for values that would silently turn into NaN weights.
#pragma once
#include <string>

#include "attnscope/tensor/tensor.h"

namespace attnscope::attention::detail {

// x + mask (mask broadcastable to x, not differentiated) as a contiguous tensor of x's dtype.
// Throws ShapeError for a mask that does not broadcast, ValueError for NaN or +inf scores
// (-inf means "excluded"), both naming `op` and the shapes.
Tensor masked_scores(const Tensor& x, const Tensor& mask, const char* op);

}  // namespace attnscope::attention::detail
