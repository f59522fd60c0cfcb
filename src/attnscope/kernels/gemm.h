// GEMM through OpenBLAS (the OpenMP build: its threads are our threads). Row-major.
//   C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C
// op(X) is X or X^T; lda/ldb/ldc are row strides (elements) of A, B, C as stored.
#pragma once
#include <cstdint>

namespace attnscope::kernels {

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
          const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
          int64_t ldc) noexcept;
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, double alpha,
          const double* A, int64_t lda, const double* B, int64_t ldb, double beta, double* C,
          int64_t ldc) noexcept;

// A batch of independent GEMMs with constant strides between items (stride 0 broadcasts).
// Small items run in parallel over the batch (each GEMM single-threaded); large items run one
// after another with OpenBLAS threading inside each.
template <class T>
void gemm_batched(bool trans_a, bool trans_b, int64_t batch, int64_t M, int64_t N, int64_t K,
                  T alpha, const T* A, int64_t lda, int64_t stride_a, const T* B, int64_t ldb,
                  int64_t stride_b, T beta, T* C, int64_t ldc, int64_t stride_c);

}  // namespace attnscope::kernels
