#include "attnscope/models/self_attention.h"

#include <algorithm>
#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/core/parallel.h"
#include "attnscope/kernels/gemm.h"
#include "attnscope/models/attention_capture.h"

namespace attnscope::models {

void self_attention_forward(const SelfAttentionShape& s, const float* q, const float* k, const float* v, float* out,
                            std::vector<float>& scratch, AttentionCapture* capture, int64_t layer,
                            const std::string& name) {
  const int64_t T = s.T, N = s.N, NH = s.NH, NKV = s.NKV, HS = s.HS;
  if (T <= 0 || N < T || NH <= 0 || NKV <= 0 || NH % NKV != 0 || HS <= 0)
    throw ShapeError("self_attention: bad shape T=" + std::to_string(T) + " N=" + std::to_string(N) +
                     " NH=" + std::to_string(NH) + " NKV=" + std::to_string(NKV) + " HS=" + std::to_string(HS));
  scratch.resize(static_cast<size_t>(NH * T * N + NH * T));
  float* probs = scratch.data();          // [NH, T, N]
  float* lse = probs + NH * T * N;        // [NH, T]
  const float scale = 1.0f / std::sqrt(static_cast<float>(HS));
  const int64_t qs = NH * HS, ks = NKV * HS, group = NH / NKV;
  const int64_t valid = s.valid_keys < 0 ? N : std::min(s.valid_keys, N);
  // S_h[T, N] = scale * Q_h K_h^T (the masked part is computed and then overwritten: simpler
  // than per-row GEMV calls and as fast at these sizes).
  for (int64_t h = 0; h < NH; ++h)
    kernels::gemm(false, true, T, N, HS, scale, q + h * HS, qs, k + (h / group) * HS, ks, 0.0f, probs + h * T * N, N);
  parallel_for(0, NH * T, 8, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const int64_t t = r % T;
      float* row = probs + r * N;
      const int64_t end = std::min(valid, s.causal ? N - T + t + 1 : N);  // visible keys [0, end)
      float mx = -INFINITY;
      for (int64_t j = 0; j < end; ++j) mx = std::max(mx, row[j]);
      float sum = 0.0f;
      for (int64_t j = 0; j < end; ++j) {
        row[j] = std::exp(row[j] - mx);
        sum += row[j];
      }
      const float inv = sum > 0.0f ? 1.0f / sum : 0.0f;
      for (int64_t j = 0; j < end; ++j) row[j] *= inv;
      std::fill(row + std::max<int64_t>(end, 0), row + N, 0.0f);
      lse[r] = end > 0 ? mx + std::log(sum) : -INFINITY;
    }
  });
  // O_h[T, HS] = P_h V_h
  for (int64_t h = 0; h < NH; ++h)
    kernels::gemm(false, false, T, HS, N, 1.0f, probs + h * T * N, N, v + (h / group) * HS, ks, 0.0f, out + h * HS, qs);
  if (capture) capture->add(layer, name, NH, T, N, N - T, probs, lse);
}

}  // namespace attnscope::models
