#include "attnscope/models/self_attention.h"

#include <algorithm>
#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/core/parallel.h"
#include "attnscope/kernels/gemm.h"
#include "attnscope/kernels/rows.h"
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
  const auto& rows = kernels::row_kernels();
  // One head per task, each GEMM single-threaded inside it: the head's scores stay in cache
  // between the three steps and there is one fork/join per call instead of 2*NH threaded GEMMs.
  parallel_for(0, NH, 1, [&](int64_t h0, int64_t h1) {
    for (int64_t h = h0; h < h1; ++h) {
      float* P = probs + h * T * N;
      // S_h[T, N] = scale * Q_h K_h^T (masked entries are computed, then overwritten: simpler
      // than per-row calls and as fast at these sizes).
      kernels::gemm(false, true, T, N, HS, scale, q + h * HS, qs, k + (h / group) * HS, ks, 0.0f, P, N);
      for (int64_t t = 0; t < T; ++t) {
        float* row = P + t * N;
        const int64_t end = std::max<int64_t>(0, std::min(valid, s.causal ? N - T + t + 1 : N));  // visible [0, end)
        const float l = end > 0 ? rows.logsumexp(row, end) : -INFINITY;
        if (end > 0) rows.exp_affine(row, l, 1.0f, 0.0f, row, end);  // exp(s - lse)
        std::fill(row + end, row + N, 0.0f);
        lse[h * T + t] = l;
      }
      // O_h[T, HS] = P_h V_h
      kernels::gemm(false, false, T, HS, N, 1.0f, P, N, v + (h / group) * HS, ks, 0.0f, out + h * HS, qs);
    }
  });
  if (capture) capture->add(layer, name, NH, T, N, N - T, probs, lse);
}

}  // namespace attnscope::models
