#include "attnscope/attention/score_rows.h"

#include <cmath>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::attention::detail {

Tensor masked_scores(const Tensor& x, const Tensor& mask, const char* op) {
  if (!x.defined() || x.ndim() == 0) throw ShapeError(std::string(op) + ": expected at least 1-D scores, got " + x.str());
  Tensor s;
  {
    autograd::NoGrad ng;
    if (mask.defined()) {
      if (mask.dtype() != x.dtype())
        throw ShapeError(std::string(op) + ": mask " + mask.str() + " and scores " + x.str() + " differ in dtype");
      if (!(ops::broadcast_shapes(x.shape(), mask.shape(), op) == x.shape()))
        throw ShapeError(std::string(op) + ": mask " + mask.str() + " does not broadcast to scores " + x.str());
      s = ops::add(x.detach(), mask);
    } else {
      s = x.detach().contiguous();
    }
  }
  dispatch_dtype(s.dtype(), [&]<class T>() {
    const T* p = s.data<T>();
    for (int64_t i = 0, n = s.numel(); i < n; ++i)
      if (std::isnan(p[i]) || p[i] == std::numeric_limits<T>::infinity())
        throw ValueError(std::string(op) + ": scores " + x.str() + " hold a non-finite value (NaN or +inf)");
  });
  return s;
}

}  // namespace attnscope::attention::detail
