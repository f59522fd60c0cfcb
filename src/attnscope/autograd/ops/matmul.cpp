// matmul: a [..., M, K] @ b [..., K, N] -> [..., M, N] through BLAS (kernels::gemm).
//   forward:  C = A B
//   backward: dA = dC B^T,  dB = A^T dC  (summed over the batch when b is shared)
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/autograd/ops/elementwise.h"
#include "attnscope/core/error.h"
#include "attnscope/kernels/gemm.h"

namespace attnscope::autograd {
const OpDef kOp_matmul{"matmul"};
}

namespace attnscope::ops {
namespace {

// A matrix operand as BLAS sees it: contiguous rows, or a transposed view of contiguous rows
// (passed as a transpose flag instead of a copy). Batch dims are flattened to one stride.
struct GemmOperand {
  Tensor t;  // keeps the storage alive
  bool trans = false;
  int64_t ld = 0, batch_stride = 0, batch = 1, rows = 0, cols = 0;
};

GemmOperand as_operand(const Tensor& x) {
  const int nd = x.ndim();
  GemmOperand op;
  op.rows = x.shape()[nd - 2];
  op.cols = x.shape()[nd - 1];
  for (int i = 0; i < nd - 2; ++i) op.batch *= x.shape()[i];
  const Shape& st = x.strides();
  // Batch dims must be collapsible into one stride for gemm_batched.
  auto batch_ok = [&](int64_t inner) {
    int64_t expect = inner;
    for (int i = nd - 3; i >= 0; --i) {
      if (x.shape()[i] != 1 && st[i] != expect) return false;
      expect *= x.shape()[i];
    }
    return true;
  };
  if (st[nd - 1] == 1 && st[nd - 2] >= std::max<int64_t>(op.cols, 1) && batch_ok(op.rows * st[nd - 2])) {
    op.t = x;
    op.ld = st[nd - 2];
    op.batch_stride = op.rows * op.ld;
    return op;
  }
  if (st[nd - 2] == 1 && st[nd - 1] >= std::max<int64_t>(op.rows, 1) && batch_ok(op.cols * st[nd - 1])) {
    op.t = x;
    op.trans = true;
    op.ld = st[nd - 1];
    op.batch_stride = op.cols * op.ld;
    return op;
  }
  op.t = x.contiguous();
  op.ld = op.cols;
  op.batch_stride = op.rows * op.cols;
  return op;
}

// C[batch, M, N] (+)= A B for operands as described above.
template <class T>
void batched_gemm(const GemmOperand& a, const GemmOperand& b, int64_t batch, T beta, T* c) {
  const int64_t M = a.rows, K = a.cols, N = b.cols;
  if (batch > 1 && b.batch == 1 && !a.trans && a.batch_stride == M * a.ld) {
    // A shared b (a Linear layer on [B, T, X]) and rows of a evenly spaced across the batch: one
    // GEMM of batch * M rows. Per item, a decoder step's T = 1 made each a GEMV: a captioner's
    // output layer ran as 32 GEMVs per word, 19% of a 32 px training step.
    kernels::gemm(false, b.trans, batch * M, N, K, T(1), a.t.template data<T>(), a.ld, b.t.template data<T>(), b.ld,
                  beta, c, N);
    return;
  }
  kernels::gemm_batched<T>(a.trans, b.trans, batch, M, N, K, T(1), a.t.template data<T>(), a.ld,
                           a.batch > 1 ? a.batch_stride : 0, b.t.template data<T>(), b.ld,
                           b.batch > 1 ? b.batch_stride : 0, beta, c, N, M * N);
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  detail::check_same_dtype(a, b, "matmul");
  if (a.ndim() < 2 || b.ndim() < 2 || a.shape().back() != b.shape()[b.ndim() - 2])
    throw ShapeError("matmul: cannot multiply " + a.str() + " by " + b.str() +
                     " (need [..., M, K] @ [..., K, N])");
  if (b.ndim() > 2) {
    bool same = a.ndim() == b.ndim();
    for (int i = 0; same && i < a.ndim() - 2; ++i) same = a.shape()[i] == b.shape()[i];
    if (!same)
      throw ShapeError("matmul: batch dims differ: " + a.str() + " @ " + b.str() +
                       " (b must be 2-D or have a's batch dims)");
  }
  Shape out_shape;
  for (int i = 0; i < a.ndim() - 1; ++i) out_shape.push_back(a.shape()[i]);
  out_shape.push_back(b.shape().back());
  Tensor out = Tensor::empty(out_shape, a.dtype());
  GemmOperand oa = as_operand(a), ob = as_operand(b);
  dispatch_dtype(a.dtype(), [&]<class T>() { batched_gemm<T>(oa, ob, oa.batch, T(0), out.data<T>()); });

  const bool ga = a.requires_grad(), gb = b.requires_grad();
  autograd::record(autograd::kOp_matmul, {a, b}, out,
                   [ad = a.detach(), bd = b.detach(), ga, gb](const Tensor& g) {
                     Tensor da, db;
                     // dA = dC B^T
                     if (ga) da = matmul(g, transpose(bd, -1, -2));
                     // dB = A^T dC; when b is shared by the batch, flatten the batch into rows.
                     if (gb) {
                       if (bd.ndim() == 2 && ad.ndim() > 2) {
                         Tensor a2 = reshape(ad, Shape{-1, ad.shape().back()});
                         Tensor g2 = reshape(g, Shape{-1, g.shape().back()});
                         db = matmul(transpose(a2, 0, 1), g2);
                       } else {
                         db = matmul(transpose(ad, -1, -2), g);
                       }
                     }
                     return std::vector<Tensor>{da, db};
                   });
  return out;
}

}  // namespace attnscope::ops
