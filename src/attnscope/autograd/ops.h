// The op vocabulary (ggml-style: small and complete). Every function here is differentiable
// unless noted; each has one OpDef in registry.h and a gradcheck case. Forward and backward of
// each op sit side by side in autograd/ops/<group>.cpp. Shapes use B, T, C, NH, HS, N.
#pragma once
#include <cstdint>
#include <vector>

#include "attnscope/tensor/tensor.h"

namespace attnscope::ops {

// ---- linear algebra -------------------------------------------------------------------------
// a [..., M, K] @ b [..., K, N] -> [..., M, N]. b may be 2-D (shared by the batch); batch dims
// of a and b must otherwise be equal. Transposed views are passed to BLAS without a copy.
Tensor matmul(const Tensor& a, const Tensor& b);

// ---- elementwise, with NumPy broadcasting ---------------------------------------------------
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& x);
Tensor scale(const Tensor& x, double s);       // s * x
Tensor add_scalar(const Tensor& x, double s);  // x + s
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor pow(const Tensor& x, double p);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor gelu_tanh(const Tensor& x);  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
Tensor gelu_erf(const Tensor& x);   // x Phi(x)

// ---- softmax family ---------------------------------------------------------------------------
// Softmax over the last dim of x + mask (mask optional, additive, broadcastable to x, not
// differentiated; -inf excludes a key). A row whose keys are all excluded gives zeros, not NaN.
Tensor softmax(const Tensor& x, const Tensor& mask = {});

// ---- reductions -------------------------------------------------------------------------------
// Sum over `dims` (all dims when empty); keepdim keeps them as size 1.
Tensor sum(const Tensor& x, const std::vector<int>& dims = {}, bool keepdim = false);

// ---- shape ------------------------------------------------------------------------------------
// Reshape (one -1 allowed). A view when x is contiguous, else a copy.
Tensor reshape(const Tensor& x, const Shape& shape);
// Permute dims (a strided view, no copy).
Tensor permute(const Tensor& x, const std::vector<int>& order);
Tensor transpose(const Tensor& x, int d0, int d1);  // permute swapping two dims
// Dense copy in row-major order (differentiable; identity gradient).
Tensor contiguous(const Tensor& x);

// ---- helpers (not ops: no OpDef) --------------------------------------------------------------
// Sums a broadcast gradient back down to `shape` (the inverse of broadcasting).
Tensor reduce_to(const Tensor& grad, const Shape& shape);
// The broadcast shape of a and b; throws ShapeError naming `op` if incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

}  // namespace attnscope::ops
