// Reference attention: the plain GEMM + softmax + GEMM path. It builds the T x N score matrix of
// one (batch, head) at a time, so it is simple to check by eye; the fused kernel is tested
// against it, and exotic mechanisms can use it. GEMMs go through kernels::gemm (OpenBLAS);
// the softmax rows are split with parallel_for.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "attnscope/core/parallel.h"
#include "attnscope/kernels/gemm.h"
#include "attnscope/kernels/attention/attention_common.h"
#include "attnscope/kernels/attention/flash_attention.h"

namespace attnscope::kernels {
namespace {

using detail::KeyRange;
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Copies rows [0, rows) x [0, HS) of one head of q/k/v into a dense f32 buffer [rows, HS].
std::vector<float> gather(const void* base, StorageType t, int64_t off, int64_t row_stride,
                          int64_t rows, int64_t HS) {
  std::vector<float> out(static_cast<size_t>(rows * HS));
  for (int64_t r = 0; r < rows; ++r) detail::load_row(base, t, off + r * row_stride, HS, &out[r * HS]);
  return out;
}

// One head's rows [rows, HS] of q, k or v as f32: a view of the caller's buffer (f32 storage,
// no copy) or a converted copy (bf16).
struct HeadRows {
  const float* data = nullptr;
  int64_t stride = 0;
  std::vector<float> copy;
  HeadRows(const void* base, StorageType t, int64_t off, int64_t row_stride, int64_t rows, int64_t HS) {
    if (t == StorageType::f32) {
      data = static_cast<const float*>(base) + off;
      stride = row_stride;
    } else {
      copy = gather(base, t, off, row_stride, rows, HS);
      data = copy.data();
      stride = HS;
    }
  }
  HeadRows(const HeadRows&) = delete;
  HeadRows& operator=(const HeadRows&) = delete;
};

// P [T, N] = masked softmax(scale Q K^T + bias) of head (b, h); lse [T] (-inf for empty rows).
// q [T, HS] and k [N, HS] with row strides qs, ks.
void probabilities(const AttentionParams& p, int64_t b, int64_t h, const float* q, int64_t qs, const float* k,
                   int64_t ks, std::vector<float>& P, std::vector<float>& lse) {
  const int64_t T = p.T, N = p.N, HS = p.HS;
  const float scale = detail::resolved_scale(p);
  P.assign(static_cast<size_t>(T * N), 0.0f);
  lse.assign(static_cast<size_t>(T), kNegInf);
  if (T == 0 || N == 0) return;
  // S [T, N] = scale * Q [T, HS] K^T [HS, N]
  gemm(false, true, T, N, HS, scale, q, qs, k, ks, 0.0f, P.data(), N);
  const float slope = p.alibi_slopes ? p.alibi_slopes[h] : 0.0f;
  parallel_for(0, T, 16, [&](int64_t lo_row, int64_t hi_row) {
    for (int64_t i = lo_row; i < hi_row; ++i) {
      float* s = &P[i * N];
      const KeyRange r = detail::visible_keys(p, b, i);
      const float* brow = detail::bias_row(p, b, h, i);
      const int64_t pos = i + (N - T);
      float mx = kNegInf;
      for (int64_t j = 0; j < N; ++j) {
        if (j < r.lo || j >= r.hi) { s[j] = kNegInf; continue; }
        if (brow) s[j] += brow[j];
        if (p.alibi_slopes) s[j] -= slope * static_cast<float>(std::llabs(pos - j));
        mx = std::max(mx, s[j]);
      }
      if (r.lo >= r.hi) { std::fill(s, s + N, 0.0f); continue; }
      double sum = 0;
      for (int64_t j = r.lo; j < r.hi; ++j) {
        s[j] = std::exp(s[j] - mx);
        sum += s[j];
      }
      const float inv = static_cast<float>(1.0 / sum);
      for (int64_t j = 0; j < N; ++j) s[j] = (j < r.lo || j >= r.hi) ? 0.0f : s[j] * inv;
      lse[i] = static_cast<float>(std::log(sum) + mx);
    }
  });
}

void write_capture(const AttentionParams& p, const AttentionCapture& c, int64_t b, int64_t h,
                   const std::vector<float>& P, const std::vector<float>& lse) {
  const int64_t T = p.T, N = p.N;
  const int64_t row0 = (b * p.NH + h) * T;
  for (int64_t i = 0; i < T; ++i) {
    const float* pr = &P[i * N];
    const KeyRange r = detail::visible_keys(p, b, i);
    const bool empty = r.lo >= r.hi;
    if (c.mode == CaptureMode::stats) {
      if (c.lse) c.lse[row0 + i] = lse[i];
      double ent = 0;
      float mx = 0;
      int32_t am = -1;
      for (int64_t j = r.lo; j < r.hi; ++j) {
        if (pr[j] > 0) ent -= static_cast<double>(pr[j]) * std::log(static_cast<double>(pr[j]));
        if (am < 0 || pr[j] > mx) { mx = pr[j]; am = static_cast<int32_t>(j); }
      }
      if (c.entropy) c.entropy[row0 + i] = empty ? 0.0f : static_cast<float>(ent);
      if (c.max_weight) c.max_weight[row0 + i] = mx;
      if (c.argmax) c.argmax[row0 + i] = am;
    } else if (c.mode == CaptureMode::topk) {
      std::vector<int32_t> idx;
      for (int64_t j = r.lo; j < r.hi; ++j) idx.push_back(static_cast<int32_t>(j));
      const size_t kk = std::min<size_t>(static_cast<size_t>(c.k), idx.size());
      std::partial_sort(idx.begin(), idx.begin() + kk, idx.end(), [&](int32_t a, int32_t bb) {
        return pr[a] != pr[bb] ? pr[a] > pr[bb] : a < bb;
      });
      for (int s = 0; s < c.k; ++s) {
        const int64_t o = (row0 + i) * c.k + s;
        const bool has = static_cast<size_t>(s) < kk;
        if (c.topk_index) c.topk_index[o] = has ? idx[s] : -1;
        if (c.topk_weight) c.topk_weight[o] = has ? pr[idx[s]] : 0.0f;
      }
    } else if (c.mode == CaptureMode::dense) {
      if (c.dense_type == DenseType::f32) {
        std::copy(pr, pr + N, static_cast<float*>(c.dense) + (row0 + i) * N);
      } else {
        uint16_t* d = static_cast<uint16_t*>(c.dense) + (row0 + i) * N;
        for (int64_t j = 0; j < N; ++j) d[j] = f32_to_f16(pr[j]);
      }
    }
  }
}

// The forward of head (b, h): probabilities, O = P V, lse and capture.
void ref_forward_head(const AttentionParams& p, const AttentionCapture& c, int64_t b, int64_t h,
                      std::vector<float>& P, std::vector<float>& lse) {
  const int64_t hk = detail::kv_head(p, h);
  const HeadRows q(p.q, p.dtype, detail::q_offset(p, b, h), p.q_row_stride, p.T, p.HS);
  const HeadRows k(p.k, p.dtype, detail::k_offset(p, b, hk), p.k_row_stride, p.N, p.HS);
  const HeadRows v(p.v, p.dtype, detail::v_offset(p, b, hk), p.v_row_stride, p.N, p.HS);
  probabilities(p, b, h, q.data, q.stride, k.data, k.stride, P, lse);
  // O [T, HS] = P [T, N] V [N, HS]
  if (p.T > 0) {
    float* o = p.o + detail::o_offset(p, b, h);
    if (p.N > 0) {
      gemm(false, false, p.T, p.HS, p.N, 1.0f, P.data(), p.N, v.data, v.stride, 0.0f, o, p.o_row_stride);
    } else {
      for (int64_t i = 0; i < p.T; ++i) std::fill(o + i * p.o_row_stride, o + i * p.o_row_stride + p.HS, 0.0f);
    }
  }
  if (p.lse) std::copy(lse.begin(), lse.end(), p.lse + (b * p.NH + h) * p.T);
  write_capture(p, c, b, h, P, lse);
}

}  // namespace

void attention_ref_forward(const AttentionParams& p, const AttentionCapture& c) {
  validate(p, c);
  // Small score matrices (decoding against a KV cache, short texts): one (batch, head) per task,
  // its GEMMs single-threaded, P in cache. Large ones: heads in turn with the threads inside, so
  // memory stays one T x N matrix.
  const bool head_tasks = p.T * p.N <= (int64_t{1} << 18);
  parallel_for(0, head_tasks ? p.B * p.NH : 0, 1, [&](int64_t lo, int64_t hi) {
    std::vector<float> P, lse;
    for (int64_t u = lo; u < hi; ++u)
      if (!p.head_skip || !p.head_skip[u % p.NH]) ref_forward_head(p, c, u / p.NH, u % p.NH, P, lse);
  });
  if (head_tasks) return;
  std::vector<float> P, lse;
  for (int64_t b = 0; b < p.B; ++b)
    for (int64_t h = 0; h < p.NH; ++h)
      if (!p.head_skip || !p.head_skip[h]) ref_forward_head(p, c, b, h, P, lse);
}

void attention_ref_backward(const AttentionBackwardParams& p) {
  validate(p);
  const int64_t T = p.T, N = p.N, HS = p.HS;
  if (T == 0 || N == 0) return;
  const float scale = detail::resolved_scale(p);
  std::vector<float> P, lse, dP(static_cast<size_t>(T * N)), D(static_cast<size_t>(T));
  for (int64_t b = 0; b < p.B; ++b) {
    for (int64_t h = 0; h < p.NH; ++h) {
      const int64_t hk = detail::kv_head(p, h);
      const auto q = gather(p.q, p.dtype, detail::q_offset(p, b, h), p.q_row_stride, T, HS);
      const auto k = gather(p.k, p.dtype, detail::k_offset(p, b, hk), p.k_row_stride, N, HS);
      const auto v = gather(p.v, p.dtype, detail::v_offset(p, b, hk), p.v_row_stride, N, HS);
      const auto dO = gather(p.dout, StorageType::f32, b * p.dout_batch_stride + h * p.dout_head_stride,
                             p.dout_row_stride, T, HS);
      probabilities(p, b, h, q.data(), HS, k.data(), HS, P, lse);
      float* dq = p.dq + b * p.dq_batch_stride + h * p.dq_head_stride;
      float* dk = p.dk + b * p.dk_batch_stride + hk * p.dk_head_stride;
      float* dv = p.dv + b * p.dv_batch_stride + hk * p.dv_head_stride;
      // dV [N, HS] += P^T [N, T] dO [T, HS]            (forward: O = P V)
      gemm(true, false, N, HS, T, 1.0f, P.data(), N, dO.data(), HS, 1.0f, dv, p.dv_row_stride);
      // dP [T, N] = dO [T, HS] V^T [HS, N]
      gemm(false, true, T, N, HS, 1.0f, dO.data(), HS, v.data(), HS, 0.0f, dP.data(), N);
      // dS = P * (dP - D), D_i = sum_j P_ij dP_ij          (softmax backward, row-wise)
      parallel_for(0, T, 16, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) {
          double d = 0;
          for (int64_t j = 0; j < N; ++j) d += static_cast<double>(P[i * N + j]) * dP[i * N + j];
          for (int64_t j = 0; j < N; ++j)
            dP[i * N + j] = P[i * N + j] * (dP[i * N + j] - static_cast<float>(d));
        }
      });
      // dQ [T, HS] += scale dS [T, N] K [N, HS];  dK [N, HS] += scale dS^T [N, T] Q [T, HS]
      gemm(false, false, T, HS, N, scale, dP.data(), N, k.data(), HS, 1.0f, dq, p.dq_row_stride);
      gemm(true, false, N, HS, T, scale, dP.data(), N, q.data(), HS, 1.0f, dk, p.dk_row_stride);
    }
  }
}

}  // namespace attnscope::kernels
