// Tensor: an n-dimensional (<= 6) strided view of shared storage, float32 or float64.
// Copying a Tensor is cheap and shares storage (like a shared_ptr). Views (reshape, transpose,
// slice: see autograd/ops) share storage too; ops that need dense rows call contiguous().
// A Tensor also carries its autograd state: requires_grad, the accumulated grad (leaves), and
// the Node that produced it (autograd/). The tensor layer knows Node only by name.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "attnscope/core/rng.h"
#include "attnscope/tensor/dtype.h"
#include "attnscope/tensor/shape.h"

namespace attnscope {

namespace autograd {
struct Node;
}

// 64-byte aligned bytes (one cache line / one AVX-512 register).
struct Storage {
  explicit Storage(size_t bytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data = nullptr;
  size_t bytes = 0;
};

class Tensor {
 public:
  Tensor() = default;

  // Factories. New tensors are contiguous and do not require grad.
  static Tensor empty(const Shape& shape, DType dtype = DType::f32);
  static Tensor zeros(const Shape& shape, DType dtype = DType::f32);
  static Tensor ones(const Shape& shape, DType dtype = DType::f32);
  static Tensor full(const Shape& shape, double value, DType dtype = DType::f32);
  static Tensor scalar(double value, DType dtype = DType::f32);
  static Tensor from(std::span<const float> values, const Shape& shape);
  static Tensor from(std::span<const double> values, const Shape& shape);
  static Tensor from(std::initializer_list<float> values, const Shape& shape) {
    return from(std::span<const float>(values.begin(), values.size()), shape);
  }
  static Tensor randn(const Shape& shape, Rng& rng, double stddev = 1.0, DType dtype = DType::f32);
  static Tensor uniform(const Shape& shape, Rng& rng, double lo, double hi,
                        DType dtype = DType::f32);
  static Tensor arange(int64_t n, DType dtype = DType::f32);

  bool defined() const { return impl_ != nullptr; }
  DType dtype() const;
  const Shape& shape() const;
  const Shape& strides() const;
  int64_t offset() const;
  int ndim() const { return shape().size(); }
  int64_t numel() const { return shape().numel(); }
  // Size of dimension `dim` (negative counts from the end).
  int64_t size(int dim) const;
  bool is_contiguous() const;

  // Pointer to the first element (offset applied). Throws ShapeError on a dtype mismatch.
  template <class T> T* data();
  template <class T> const T* data() const;

  // Copies (no autograd): contiguous() returns *this when already contiguous.
  Tensor contiguous() const;
  Tensor clone() const;
  Tensor to(DType dtype) const;
  // Same storage, no autograd history.
  Tensor detach() const;
  // A strided view of the same storage (no autograd; autograd/ops wraps it).
  Tensor as_strided(const Shape& shape, const Shape& strides, int64_t offset) const;

  double item() const;                                 // numel() == 1
  double at(std::initializer_list<int64_t> idx) const;  // element read, for tests and tools
  std::vector<float> to_vector() const;                 // contiguous copy as float
  std::vector<double> to_vector_f64() const;
  std::string str() const;                              // "f32[2, 3]"
  // Copies src's values into this tensor's elements (same shape; dtypes may differ). No autograd.
  void copy_from(const Tensor& src);
  void fill(double value);

  // Autograd state.
  bool requires_grad() const;
  Tensor& requires_grad_(bool on = true);
  const Tensor& grad() const;
  void set_grad(Tensor g);
  void zero_grad();
  const std::shared_ptr<autograd::Node>& grad_fn() const;
  void set_grad_fn(std::shared_ptr<autograd::Node> node);
  bool is_leaf() const { return !grad_fn(); }
  const void* id() const { return impl_.get(); }

 private:
  struct Impl;
  explicit Tensor(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

// Throws ShapeError "<op>: expected <what>, got <shape>" unless cond.
void check_shape(bool cond, const char* op, const std::string& what, const Tensor& t);

}  // namespace attnscope
