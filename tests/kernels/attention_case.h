// Test fixture for the attention kernels: random q/k/v/dout for a shape and option set, and the
// buffers to run the fused and reference paths side by side.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/core/rng.h"
#include "attnscope/core/half.h"
#include "attnscope/kernels/attention/flash_attention.h"

namespace attnscope::kernels::testing {

struct CaseSpec {
  int64_t B = 1, NH = 2, NKV = 2, T = 16, N = 16, HS = 32;
  bool causal = false, alibi = false, bias = false, padding = false, bf16 = false;
  int64_t window = 0;
  bool strided = false;  // q/k/v/o in [B, T, NH, HS] layout (row stride NH * HS)
  uint64_t seed = 1;
  std::string name() const {
    return "B=" + std::to_string(B) + " NH=" + std::to_string(NH) + " NKV=" + std::to_string(NKV) +
           " T=" + std::to_string(T) + " N=" + std::to_string(N) + " HS=" + std::to_string(HS) +
           (causal ? " causal" : "") + (alibi ? " alibi" : "") + (bias ? " bias" : "") +
           (padding ? " padding" : "") + (bf16 ? " bf16" : "") +
           (window ? " window=" + std::to_string(window) : "") + (strided ? " strided" : "");
  }
};

struct Case {
  CaseSpec s;
  std::vector<float> q, k, v, dout, bias, slopes;
  std::vector<uint16_t> q16, k16, v16;
  std::vector<int32_t> lengths;

  explicit Case(const CaseSpec& spec) : s(spec) {
    Rng rng(spec.seed);
    auto fill = [&](std::vector<float>& x, size_t n, double sd) {
      x.resize(n);
      for (float& e : x) e = static_cast<float>(rng.normal(0.0, sd));
    };
    fill(q, size_t(s.B * s.NH * s.T * s.HS), 1.0);
    fill(k, size_t(s.B * s.NKV * s.N * s.HS), 1.0);
    fill(v, size_t(s.B * s.NKV * s.N * s.HS), 1.0);
    fill(dout, size_t(s.B * s.NH * s.T * s.HS), 1.0);
    if (s.bias) fill(bias, size_t(s.NH * s.T * s.N), 0.5);  // broadcast over batch (stride 0)
    for (int64_t h = 0; h < s.NH; ++h) slopes.push_back(std::pow(2.0f, -8.0f * (h + 1) / s.NH));
    for (int64_t b = 0; b < s.B; ++b)
      lengths.push_back(static_cast<int32_t>(s.padding ? std::max<int64_t>(0, s.N - 3 * b - 2) : s.N));
    if (s.bf16) {
      // Round the f32 copies too, so the reference sees exactly what the kernel reads.
      for (auto* pair : {&q, &k, &v}) {
        for (float& e : *pair) e = bf16_to_f32(f32_to_bf16(e));
      }
      auto to16 = [](const std::vector<float>& x) {
        std::vector<uint16_t> o(x.size());
        for (size_t i = 0; i < x.size(); ++i) o[i] = f32_to_bf16(x[i]);
        return o;
      };
      q16 = to16(q);
      k16 = to16(k);
      v16 = to16(v);
    }
  }

  // Params over this case's inputs. In strided mode the buffers are interpreted [B, T, NH, HS].
  AttentionParams params(float* o, float* lse, bool use_bf16) const {
    AttentionParams p;
    p.B = s.B; p.NH = s.NH; p.NKV = s.NKV; p.T = s.T; p.N = s.N; p.HS = s.HS;
    p.dtype = use_bf16 ? StorageType::bf16 : StorageType::f32;
    p.q = use_bf16 ? static_cast<const void*>(q16.data()) : q.data();
    p.k = use_bf16 ? static_cast<const void*>(k16.data()) : k.data();
    p.v = use_bf16 ? static_cast<const void*>(v16.data()) : v.data();
    p.o = o;
    p.lse = lse;
    p.causal = s.causal;
    p.window = s.window;
    if (s.alibi) p.alibi_slopes = slopes.data();
    if (s.bias) {
      p.bias = bias.data();
      p.bias_batch_stride = 0;
      p.bias_head_stride = s.T * s.N;
      p.bias_row_stride = s.N;
    }
    if (s.padding) p.key_lengths = lengths.data();
    set_contiguous_strides(p);
    if (s.strided) {
      p.q_row_stride = p.o_row_stride = s.NH * s.HS;
      p.q_head_stride = p.o_head_stride = s.HS;
      p.k_row_stride = p.v_row_stride = s.NKV * s.HS;
      p.k_head_stride = p.v_head_stride = s.HS;
    }
    return p;
  }

  size_t q_size() const { return size_t(s.B * s.NH * s.T * s.HS); }
  size_t kv_size() const { return size_t(s.B * s.NKV * s.N * s.HS); }
  size_t rows() const { return size_t(s.B * s.NH * s.T); }
};

// max |a - b| / max |b|: error relative to the tensor's scale (elementwise relative error is
// meaningless for entries that cancel to ~0).
inline double rel_err(const std::vector<float>& a, const std::vector<float>& b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isinf(b[i]) || std::isinf(a[i])) {
      if (a[i] != b[i]) return INFINITY;
      continue;
    }
    num = std::max(num, std::fabs(double(a[i]) - b[i]));
    den = std::max(den, std::fabs(double(b[i])));
  }
  return den > 0 ? num / den : num;
}

}  // namespace attnscope::kernels::testing
