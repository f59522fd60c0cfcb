// The op vocabulary (ggml-style: small and complete). Every function here is differentiable
// unless noted; each has one OpDef in registry.h and a gradcheck case. Forward and backward of
// each op sit side by side in autograd/ops/<group>.cpp. Shapes use B, T, C, NH, HS, N.
#pragma once
#include <cstdint>
#include <vector>

#include "attnscope/core/rng.h"
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
// log(softmax(x + mask)) computed stably; a fully masked row gives zeros. Masked entries of a
// row that is not fully masked are -inf (their gradient is dy, as in the limit).
Tensor log_softmax(const Tensor& x, const Tensor& mask = {});

// ---- reductions -------------------------------------------------------------------------------
// Sum over `dims` (all dims when empty); keepdim keeps them as size 1.
Tensor sum(const Tensor& x, const std::vector<int>& dims = {}, bool keepdim = false);
// Mean over `dims` (all dims when empty).
Tensor mean(const Tensor& x, const std::vector<int>& dims = {}, bool keepdim = false);
// Maximum over one dim. The gradient goes to the first argmax; a NaN counts as the maximum.
Tensor max(const Tensor& x, int dim, bool keepdim = false);

// ---- shape ------------------------------------------------------------------------------------
// Reshape (one -1 allowed). A view when x is contiguous, else a copy.
Tensor reshape(const Tensor& x, const Shape& shape);
// Permute dims (a strided view, no copy).
Tensor permute(const Tensor& x, const std::vector<int>& order);
Tensor transpose(const Tensor& x, int d0, int d1);  // permute swapping two dims
// Dense copy in row-major order (differentiable; identity gradient).
Tensor contiguous(const Tensor& x);
// x[..., start:end:step, ...] along `dim` (a strided view, no copy). start/end may be negative
// (counted from the end) and are clamped to [0, size] like Python; step >= 1.
Tensor slice(const Tensor& x, int dim, int64_t start, int64_t end, int64_t step = 1);
// Joins tensors along an existing dim (all other dims equal) / a new dim (all shapes equal).
Tensor concat(const std::vector<Tensor>& xs, int dim);
Tensor stack(const std::vector<Tensor>& xs, int dim);

// ---- gather / select --------------------------------------------------------------------------
// Picks entries `index` along `dim` (repeats allowed). An index outside [0, size) is a
// ValueError naming it. Backward scatter-adds (deterministically) into the picked rows.
Tensor index_select(const Tensor& x, int dim, const std::vector<int64_t>& index);
// Rows of weight [V, C] for ids (shape ids_shape) -> ids_shape + [C]. Ids outside [0, V) are a
// ValueError naming the id and its position.
Tensor embedding(const Tensor& weight, const std::vector<int64_t>& ids, const Shape& ids_shape);
// out = mask != 0 ? value : x. mask (0/1, any float dtype) broadcasts to x; not differentiated.
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);
// out = cond != 0 ? a : b, all three broadcast together; cond is not differentiated.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

// ---- regularization ---------------------------------------------------------------------------
// Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p).
// Identity when !training or p == 0. The mask is drawn serially from rng, so the same seed gives
// the same mask for any thread count. p outside [0, 1] is a ValueError.
Tensor dropout(const Tensor& x, double p, bool training, Rng& rng);

// ---- normalization (over the last dim C) ------------------------------------------------------
// y = (x - mean) / sqrt(var + eps) * gamma + beta; gamma, beta [C] (undefined: 1 and 0).
Tensor layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps = 1e-5);
// y = x / sqrt(mean(x^2) + eps) * gamma; gamma [C] (undefined: 1).
Tensor rms_norm(const Tensor& x, const Tensor& gamma, double eps = 1e-6);

// ---- losses (scalar results) ------------------------------------------------------------------
// The target that marks a row as padding (PyTorch's default ignore_index): batches fill their
// padded target positions with it.
inline constexpr int64_t kIgnore = -100;
// Mean cross-entropy of logits [..., V] against one target per row (targets.size() == rows),
// fused with log_softmax. Rows whose target == ignore_index are skipped (all skipped: 0).
// label_smoothing eps mixes the one-hot target with uniform: (1-eps) onehot + eps/V.
Tensor cross_entropy(const Tensor& logits, const std::vector<int64_t>& targets,
                     int64_t ignore_index = kIgnore, double label_smoothing = 0.0);
// Mean squared error; a and b must have the same shape.
Tensor mse(const Tensor& a, const Tensor& b);

// ---- convolution and pooling (NCHW) -----------------------------------------------------------
// x [B, Cin, H, W] * w [Cout, Cin, KH, KW] (+ bias [Cout], optional) -> [B, Cout, Ho, Wo],
// Ho = (H + 2 padding - KH) / stride + 1. im2col + one GEMM.
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, int stride = 1,
              int padding = 0);
// Pooling over kernel x kernel windows (no padding): [B, C, H, W] -> [B, C, Ho, Wo],
// Ho = (H - kernel) / stride + 1. max sends the gradient to the first maximum of each window.
Tensor max_pool2d(const Tensor& x, int kernel, int stride);
Tensor avg_pool2d(const Tensor& x, int kernel, int stride);

// ---- attention scores --------------------------------------------------------------------------
// Additive (Bahdanau) scores, tanh fused: pq [B, T, A], pk [B, N, A], v with A elements ->
// e [B, T, N], e[b, t, n] = sum_a v[a] tanh(pq[b, t, a] + pk[b, n, a]). The [B, T, N, A] tanh
// tensor is never stored (the backward recomputes it).
Tensor additive_score(const Tensor& pq, const Tensor& pk, const Tensor& v);

// ---- helpers (not ops: no OpDef) --------------------------------------------------------------
// Non-finite values: NaN propagates (a NaN in a softmax/norm row makes that row NaN; a NaN in a
// loss makes the loss NaN); the only -inf handled specially is a fully masked softmax row.
// Sums a broadcast gradient back down to `shape` (the inverse of broadcasting). Parallel and
// deterministic for a given thread count (fixed blocks, partial sums combined in order).
Tensor reduce_to(const Tensor& grad, const Shape& shape);
// The broadcast shape of a and b; throws ShapeError naming `op` if incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

}  // namespace attnscope::ops
