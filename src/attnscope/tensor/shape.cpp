#include "attnscope/tensor/shape.h"

#include "attnscope/core/error.h"

namespace attnscope {

Shape::Shape(std::initializer_list<int64_t> dims) {
  for (int64_t d : dims) push_back(d);
}

Shape::Shape(const std::vector<int64_t>& dims) {
  for (int64_t d : dims) push_back(d);
}

void Shape::push_back(int64_t v) {
  if (n_ == kMaxDims) throw ShapeError("shape: more than 6 dimensions");
  d_[n_++] = v;
}

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int i = 0; i < n_; ++i) n *= d_[i];
  return n;
}

int Shape::axis(int dim, const char* op) const {
  const int a = dim < 0 ? dim + n_ : dim;
  if (a < 0 || a >= n_)
    throw ShapeError(std::string(op) + ": dimension " + std::to_string(dim) +
                     " out of range for shape " + str());
  return a;
}

std::string Shape::str() const {
  std::string s = "[";
  for (int i = 0; i < n_; ++i) {
    if (i) s += ", ";
    s += std::to_string(d_[i]);
  }
  return s + "]";
}

Shape contiguous_strides(const Shape& shape) {
  Shape st = shape;
  int64_t s = 1;
  for (int i = shape.size() - 1; i >= 0; --i) {
    st[i] = s;
    s *= shape[i];
  }
  return st;
}

}  // namespace attnscope
