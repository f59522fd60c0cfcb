#include "attnscope/kernels/gemm.h"

#include <cblas.h>

#include <algorithm>

#include "attnscope/core/parallel.h"

namespace attnscope::kernels {

namespace {

// cblas entry points for T (float -> s*, double -> d*).
template <class T>
void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint M, blasint N, blasint K, T alpha, const T* A,
               blasint lda, const T* B, blasint ldb, T beta, T* C, blasint ldc) noexcept {
  if constexpr (sizeof(T) == 4) cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  else cblas_dgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
template <class T>
void blas_gemv(CBLAS_TRANSPOSE t, blasint rows, blasint cols, T alpha, const T* A, blasint lda, const T* x,
               blasint incx, T beta, T* y, blasint incy) noexcept {
  if constexpr (sizeof(T) == 4) cblas_sgemv(CblasRowMajor, t, rows, cols, alpha, A, lda, x, incx, beta, y, incy);
  else cblas_dgemv(CblasRowMajor, t, rows, cols, alpha, A, lda, x, incx, beta, y, incy);
}

template <class T>
void gemm_any(bool ta, bool tb, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda, const T* B,
              int64_t ldb, T beta, T* C, int64_t ldc) noexcept {
  if (M == 0 || N == 0) return;
  const auto b = [](int64_t v) { return static_cast<blasint>(v); };
  const auto op = [](bool t) { return t ? CblasTrans : CblasNoTrans; };
  if ((M == 1 || N == 1) && K > 0) {
    // A vector times a matrix: GEMV reads the matrix once, where GEMM would first pack all of it
    // (a decoding step's output layer spent 2/3 of its time packing). beta = 0 must not read C.
    if (beta == T(0)) {
      if (M == 1) std::fill(C, C + N, T(0));
      else for (int64_t i = 0; i < M; ++i) C[i * ldc] = T(0);
    }
    if (M == 1) {
      // c[N] = op(B)^T a: B stored [N, K] (tb) or [K, N]; a is a row of A, or a column when ta.
      blas_gemv(tb ? CblasNoTrans : CblasTrans, tb ? b(N) : b(K), tb ? b(K) : b(N), alpha, B, b(ldb), A,
                ta ? b(lda) : 1, beta, C, 1);
    } else {
      // c[M] (stride ldc) = op(A) b: A stored [M, K] or [K, M] (ta); b a column of B, or a row when tb.
      blas_gemv(ta ? CblasTrans : CblasNoTrans, ta ? b(K) : b(M), ta ? b(M) : b(K), alpha, A, b(lda), B,
                tb ? 1 : b(ldb), beta, C, b(ldc));
    }
    return;
  }
  blas_gemm<T>(op(ta), op(tb), b(M), b(N), b(K), alpha, A, b(lda), B, b(ldb), beta, C, b(ldc));
}

}  // namespace

void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc) noexcept {
  gemm_any(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
          const double* B, int64_t ldb, double beta, double* C, int64_t ldc) noexcept {
  gemm_any(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

template <class T>
void gemm_batched(bool ta, bool tb, int64_t batch, int64_t M, int64_t N, int64_t K, T alpha,
                  const T* A, int64_t lda, int64_t sa, const T* B, int64_t ldb, int64_t sb, T beta,
                  T* C, int64_t ldc, int64_t sc) {
  // Below ~2 MFLOP per item, OpenBLAS threading costs more than it gains; split the batch instead.
  const bool small = 2.0 * M * N * K < 2e6;
  if (small && batch > 1) {
    parallel_for(0, batch, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t b = lo; b < hi; ++b)
        gemm(ta, tb, M, N, K, alpha, A + b * sa, lda, B + b * sb, ldb, beta, C + b * sc, ldc);
    });
  } else {
    for (int64_t b = 0; b < batch; ++b)
      gemm(ta, tb, M, N, K, alpha, A + b * sa, lda, B + b * sb, ldb, beta, C + b * sc, ldc);
  }
}

template void gemm_batched<float>(bool, bool, int64_t, int64_t, int64_t, int64_t, float,
                                  const float*, int64_t, int64_t, const float*, int64_t, int64_t,
                                  float, float*, int64_t, int64_t);
template void gemm_batched<double>(bool, bool, int64_t, int64_t, int64_t, int64_t, double,
                                   const double*, int64_t, int64_t, const double*, int64_t,
                                   int64_t, double, double*, int64_t, int64_t);

}  // namespace attnscope::kernels
