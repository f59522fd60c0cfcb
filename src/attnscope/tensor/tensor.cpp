#include "attnscope/tensor/tensor.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>

#include "attnscope/core/error.h"
#include "attnscope/tensor/block_cache.h"

namespace attnscope {

Storage::Storage(size_t n) : data(block_cache::allocate(n)), bytes(n) {}

Storage::~Storage() { block_cache::release(data, bytes); }

struct Tensor::Impl {
  std::shared_ptr<Storage> storage;
  DType dtype = DType::f32;
  Shape shape, strides;
  int64_t offset = 0;
  bool requires_grad = false;
  Tensor grad;
  std::shared_ptr<autograd::Node> grad_fn;
};

namespace {
const Tensor kUndefined;
}

Tensor Tensor::empty(const Shape& shape, DType dtype) {
  for (int64_t d : shape)
    if (d < 0) throw ShapeError("empty: negative dimension in shape " + shape.str());
  auto impl = std::make_shared<Impl>();
  impl->storage = std::make_shared<Storage>(shape.numel() * dtype_size(dtype));
  impl->dtype = dtype;
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  return Tensor(std::move(impl));
}

Tensor Tensor::zeros(const Shape& shape, DType dtype) {
  Tensor t = empty(shape, dtype);
  std::memset(t.impl_->storage->data, 0, t.impl_->storage->bytes);
  return t;
}

Tensor Tensor::full(const Shape& shape, double value, DType dtype) {
  Tensor t = empty(shape, dtype);
  t.fill(value);
  return t;
}

Tensor Tensor::ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }
Tensor Tensor::scalar(double value, DType dtype) { return full(Shape{}, value, dtype); }

Tensor Tensor::from(std::span<const float> v, const Shape& shape) {
  if (static_cast<int64_t>(v.size()) != shape.numel())
    throw ShapeError("Tensor::from: " + std::to_string(v.size()) + " values for shape " + shape.str());
  Tensor t = empty(shape, DType::f32);
  std::memcpy(t.data<float>(), v.data(), v.size() * sizeof(float));
  return t;
}

Tensor Tensor::from(std::span<const double> v, const Shape& shape) {
  if (static_cast<int64_t>(v.size()) != shape.numel())
    throw ShapeError("Tensor::from: " + std::to_string(v.size()) + " values for shape " + shape.str());
  Tensor t = empty(shape, DType::f64);
  std::memcpy(t.data<double>(), v.data(), v.size() * sizeof(double));
  return t;
}

Tensor Tensor::randn(const Shape& shape, Rng& rng, double stddev, DType dtype) {
  Tensor t = empty(shape, dtype);
  dispatch_dtype(dtype, [&]<class T>() {
    T* p = t.data<T>();
    for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = static_cast<T>(rng.normal() * stddev);
  });
  return t;
}

Tensor Tensor::uniform(const Shape& shape, Rng& rng, double lo, double hi, DType dtype) {
  Tensor t = empty(shape, dtype);
  dispatch_dtype(dtype, [&]<class T>() {
    T* p = t.data<T>();
    for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = static_cast<T>(rng.uniform(lo, hi));
  });
  return t;
}

Tensor Tensor::arange(int64_t n, DType dtype) {
  Tensor t = empty(Shape{n}, dtype);
  dispatch_dtype(dtype, [&]<class T>() {
    T* p = t.data<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(i);
  });
  return t;
}

DType Tensor::dtype() const { return impl_->dtype; }
const Shape& Tensor::shape() const {
  static const Shape kEmpty;
  return impl_ ? impl_->shape : kEmpty;
}
const Shape& Tensor::strides() const { return impl_->strides; }
int64_t Tensor::offset() const { return impl_->offset; }

int64_t Tensor::size(int dim) const { return shape()[shape().axis(dim, "size")]; }

bool Tensor::is_contiguous() const {
  int64_t expect = 1;
  for (int i = ndim() - 1; i >= 0; --i) {
    if (impl_->shape[i] != 1 && impl_->strides[i] != expect) return false;
    expect *= impl_->shape[i];
  }
  return true;
}

template <class T>
T* Tensor::data() {
  if (!impl_) throw ShapeError("data: undefined tensor");
  if (impl_->dtype != dtype_of<T>())
    throw ShapeError(std::string("data: tensor is ") + dtype_name(impl_->dtype) + ", asked for " +
                     dtype_name(dtype_of<T>()));
  return static_cast<T*>(impl_->storage->data) + impl_->offset;
}
template <class T>
const T* Tensor::data() const {
  return const_cast<Tensor*>(this)->data<T>();
}
template float* Tensor::data<float>();
template double* Tensor::data<double>();
template const float* Tensor::data<float>() const;
template const double* Tensor::data<double>() const;

namespace {

// Calls f(dst_index, src_offset) over all elements of a strided tensor in row-major order.
template <class F>
void for_each_strided(const Shape& shape, const Shape& strides, F&& f) {
  const int nd = shape.size();
  const int64_t n = shape.numel();
  if (n == 0) return;
  if (nd == 0) {
    f(int64_t{0}, int64_t{0});
    return;
  }
  std::array<int64_t, kMaxDims> idx{};
  int64_t off = 0;
  const int64_t inner = shape[nd - 1], inner_stride = strides[nd - 1];
  for (int64_t i = 0; i < n; i += inner) {
    for (int64_t j = 0; j < inner; ++j) f(i + j, off + j * inner_stride);
    for (int d = nd - 2; d >= 0; --d) {
      off += strides[d];
      if (++idx[d] < shape[d]) break;
      off -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

}  // namespace

void Tensor::copy_from(const Tensor& src) {
  if (!(src.shape() == shape()))
    throw ShapeError("copy_from: shape " + src.shape().str() + " into " + shape().str());
  const int64_t n = numel();
  dispatch_dtype(dtype(), [&]<class D>() {
    dispatch_dtype(src.dtype(), [&]<class S>() {
      const S* s = static_cast<const S*>(src.impl_->storage->data) + src.offset();
      D* base = static_cast<D*>(impl_->storage->data) + offset();
      const bool dst_dense = is_contiguous();
      if (dst_dense && src.is_contiguous()) {
        if constexpr (std::is_same_v<D, S>) {
          std::memcpy(base, s, n * sizeof(D));
        } else {
          for (int64_t i = 0; i < n; ++i) base[i] = static_cast<D>(s[i]);
        }
      } else if (dst_dense) {  // gather a strided source in row-major order
        for_each_strided(src.shape(), src.strides(), [&](int64_t i, int64_t o) { base[i] = static_cast<D>(s[o]); });
      } else {  // strided destination: gather densely first, then scatter
        std::vector<D> tmp(n);
        for_each_strided(src.shape(), src.strides(), [&](int64_t i, int64_t o) { tmp[i] = static_cast<D>(s[o]); });
        for_each_strided(shape(), strides(), [&](int64_t i, int64_t o) { base[o] = tmp[i]; });
      }
    });
  });
}

void Tensor::fill(double value) {
  dispatch_dtype(dtype(), [&]<class T>() {
    T* base = static_cast<T*>(impl_->storage->data) + offset();
    for_each_strided(shape(), strides(), [&](int64_t, int64_t o) { base[o] = static_cast<T>(value); });
  });
}

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  Tensor t = empty(shape(), dtype());
  t.copy_from(*this);
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = empty(shape(), dtype());
  t.copy_from(*this);
  return t;
}

Tensor Tensor::to(DType d) const {
  Tensor t = empty(shape(), d);
  t.copy_from(*this);
  return t;
}

Tensor Tensor::detach() const {
  auto impl = std::make_shared<Impl>();
  impl->storage = impl_->storage;
  impl->dtype = impl_->dtype;
  impl->shape = impl_->shape;
  impl->strides = impl_->strides;
  impl->offset = impl_->offset;
  return Tensor(std::move(impl));
}

Tensor Tensor::as_strided(const Shape& shape, const Shape& strides, int64_t offset) const {
  // Bounds: the furthest element must lie inside the storage.
  int64_t hi = offset, lo = offset;
  for (int i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0) { hi = lo = offset; break; }
    const int64_t span = (shape[i] - 1) * strides[i];
    if (span > 0) hi += span; else lo += span;
  }
  if (lo < 0 || (shape.numel() > 0 &&
                 static_cast<size_t>(hi + 1) * dtype_size(dtype()) > impl_->storage->bytes))
    throw ShapeError("as_strided: view " + shape.str() + " outside storage of " + str());
  Tensor t = detach();
  t.impl_->shape = shape;
  t.impl_->strides = strides;
  t.impl_->offset = offset;
  return t;
}

double Tensor::item() const {
  if (numel() != 1) throw ShapeError("item: expected one element, got " + str());
  return at({});
}

double Tensor::at(std::initializer_list<int64_t> idx) const {
  if (static_cast<int>(idx.size()) != ndim() && !(idx.size() == 0 && numel() == 1))
    throw ShapeError("at: " + std::to_string(idx.size()) + " indices for " + str());
  int64_t off = offset();
  int d = 0;
  for (int64_t i : idx) {
    if (i < 0 || i >= shape()[d]) throw ShapeError("at: index out of range for " + str());
    off += i * strides()[d++];
  }
  return dispatch_dtype(dtype(), [&]<class T>() -> double {
    return static_cast<double>(static_cast<const T*>(impl_->storage->data)[off]);
  });
}

std::vector<float> Tensor::to_vector() const {
  Tensor c = to(DType::f32);
  return {c.data<float>(), c.data<float>() + c.numel()};
}

std::vector<double> Tensor::to_vector_f64() const {
  Tensor c = to(DType::f64);
  return {c.data<double>(), c.data<double>() + c.numel()};
}

std::string Tensor::str() const {
  if (!impl_) return "undefined";
  return std::string(dtype_name(dtype())) + shape().str();
}

bool Tensor::requires_grad() const { return impl_ && impl_->requires_grad; }
Tensor& Tensor::requires_grad_(bool on) {
  impl_->requires_grad = on;
  return *this;
}
const Tensor& Tensor::grad() const { return impl_ ? impl_->grad : kUndefined; }
void Tensor::set_grad(Tensor g) { impl_->grad = std::move(g); }
void Tensor::zero_grad() {
  if (impl_->grad.defined()) impl_->grad.fill(0.0);
}
const std::shared_ptr<autograd::Node>& Tensor::grad_fn() const {
  static const std::shared_ptr<autograd::Node> kNone;
  return impl_ ? impl_->grad_fn : kNone;
}
void Tensor::set_grad_fn(std::shared_ptr<autograd::Node> node) { impl_->grad_fn = std::move(node); }

void check_shape(bool cond, const char* op, const std::string& what, const Tensor& t) {
  if (!cond) throw ShapeError(std::string(op) + ": expected " + what + ", got " + t.str());
}

}  // namespace attnscope
