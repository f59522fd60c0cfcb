#include "attnscope/models/self_attention.h"

#include <algorithm>

#include "attnscope/attention/kernel_capture.h"
#include "attnscope/core/error.h"

namespace attnscope::models {

namespace {
// The neuron view's vectors (--capture ...,qk) as the kernel reads them: query [1, NH, T, HS]
// at the call's query rows, key [1, NH, N, HS] for every key (grouped-query heads repeat their
// shared key head, so each query head has its own; later calls overwrite the same key rows).
attention::Extras query_key_extras(const SelfAttentionShape& s, const float* q, const float* k) {
  const int64_t T = s.T, N = s.N, NH = s.NH, NKV = s.NKV, HS = s.HS, group = NH / NKV;
  attention::Extra qe, ke;
  qe.shape = {1, NH, T, HS};
  qe.batched = true;
  qe.query_dim = 1;
  qe.values.resize(NH * T * HS);
  ke.shape = {1, NH, N, HS};
  ke.batched = true;
  ke.values.resize(NH * N * HS);
  for (int64_t h = 0; h < NH; ++h) {
    for (int64_t t = 0; t < T; ++t) std::copy_n(q + t * NH * HS + h * HS, HS, qe.values.data() + (h * T + t) * HS);
    for (int64_t n = 0; n < N; ++n)
      std::copy_n(k + n * NKV * HS + (h / group) * HS, HS, ke.values.data() + (h * N + n) * HS);
  }
  return {{"query", std::move(qe)}, {"key", std::move(ke)}};
}
}  // namespace

void self_attention_forward(const SelfAttentionShape& s, const float* q, const float* k, const float* v, float* out,
                            attention::Recorder* recorder, const std::string& name) {
  const int64_t T = s.T, N = s.N, NH = s.NH, NKV = s.NKV, HS = s.HS;
  if (T <= 0 || N < T || NH <= 0 || NKV <= 0 || NH % NKV != 0 || HS <= 0)
    throw ShapeError("self_attention: bad shape T=" + std::to_string(T) + " N=" + std::to_string(N) +
                     " NH=" + std::to_string(NH) + " NKV=" + std::to_string(NKV) + " HS=" + std::to_string(HS));
  kernels::AttentionParams p;
  p.B = 1; p.NH = NH; p.NKV = NKV; p.T = T; p.N = N; p.HS = HS;
  p.q = q; p.k = k; p.v = v; p.o = out;
  // Heads are column blocks of a row: head stride HS, row stride the full projection width.
  p.q_head_stride = HS; p.q_row_stride = NH * HS;
  p.o_head_stride = HS; p.o_row_stride = NH * HS;
  p.k_head_stride = p.v_head_stride = HS;
  p.k_row_stride = p.v_row_stride = NKV * HS;
  p.q_batch_stride = p.o_batch_stride = T * NH * HS;
  p.k_batch_stride = p.v_batch_stride = N * NKV * HS;
  p.causal = s.causal;
  const int32_t valid = static_cast<int32_t>(s.valid_keys < 0 ? N : std::min(s.valid_keys, N));
  if (s.valid_keys >= 0) p.key_lengths = &valid;
  p.head_skip = s.head_skip;
  attention::Site site;
  site.name = name;
  site.mechanism = "scaled_dot";
  site.query_offset = N - T;
  attention::KernelCapture cap(recorder, site, 1, NH, T, N);
  p.lse = cap.lse();
  kernels::validate(p, cap.kernel());
  kernels::attention_forward(p, cap.kernel());
  cap.finish(recorder && cap.active() && recorder->keep().qk ? query_key_extras(s, q, k) : attention::Extras{});
  for (const uint8_t* off : {s.head_off, s.head_skip})
    for (int64_t h = 0; off && h < NH; ++h)
      if (off[h])
        for (int64_t t = 0; t < T; ++t) std::fill_n(out + t * NH * HS + h * HS, HS, 0.0f);
}

}  // namespace attnscope::models
