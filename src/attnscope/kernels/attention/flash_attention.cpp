// Portable part of the fused attention: validation, stride helpers, run-time ISA dispatch and
// number conversions. The tiled kernels live in flash_attention_{scalar,avx2,avx512}.cpp.
#include "attnscope/kernels/attention/flash_attention.h"

#include <cmath>
#include <cstring>
#include <string>

#include "attnscope/core/error.h"
#include "attnscope/core/parallel.h"
#include "attnscope/kernels/attention/attention_common.h"
#include "attnscope/kernels/isa.h"

namespace attnscope::kernels {
namespace {

std::string dims(const AttentionParams& p) {
  return "B=" + std::to_string(p.B) + " NH=" + std::to_string(p.NH) + " NKV=" + std::to_string(p.NKV) +
         " T=" + std::to_string(p.T) + " N=" + std::to_string(p.N) + " HS=" + std::to_string(p.HS);
}

void check_strides(const char* name, int64_t bs, int64_t hs, int64_t rs, int64_t rows, int64_t HS,
                   const AttentionParams& p) {
  ATTNSCOPE_CHECK(bs >= 0 && hs >= 0 && rs >= 0, ShapeError,
                  std::string("attention: negative stride for ") + name + " (" + dims(p) + ")");
  ATTNSCOPE_CHECK(rows <= 1 || rs >= HS, ShapeError,
                  std::string("attention: ") + name + " row stride " + std::to_string(rs) +
                      " < HS " + std::to_string(HS) + " (rows would overlap)");
}

}  // namespace

void set_contiguous_strides(AttentionParams& p) {
  p.q_row_stride = p.o_row_stride = p.HS;
  p.q_head_stride = p.o_head_stride = p.T * p.HS;
  p.q_batch_stride = p.o_batch_stride = p.NH * p.T * p.HS;
  p.k_row_stride = p.v_row_stride = p.HS;
  p.k_head_stride = p.v_head_stride = p.N * p.HS;
  p.k_batch_stride = p.v_batch_stride = p.NKV * p.N * p.HS;
  if (p.bias && p.bias_row_stride == 0 && p.bias_head_stride == 0 && p.bias_batch_stride == 0) {
    p.bias_row_stride = p.N;
    p.bias_head_stride = p.T * p.N;
    p.bias_batch_stride = p.NH * p.T * p.N;
  }
}

void set_contiguous_strides(AttentionBackwardParams& p) {
  set_contiguous_strides(static_cast<AttentionParams&>(p));
  p.dout_row_stride = p.dq_row_stride = p.HS;
  p.dout_head_stride = p.dq_head_stride = p.T * p.HS;
  p.dout_batch_stride = p.dq_batch_stride = p.NH * p.T * p.HS;
  p.dk_row_stride = p.dv_row_stride = p.HS;
  p.dk_head_stride = p.dv_head_stride = p.N * p.HS;
  p.dk_batch_stride = p.dv_batch_stride = p.NKV * p.N * p.HS;
}

void validate(const AttentionParams& p, const AttentionCapture& c) {
  ATTNSCOPE_CHECK(p.B >= 0 && p.T >= 0 && p.N >= 0 && p.NH > 0 && p.NKV > 0 && p.HS > 0, ShapeError,
                  "attention: sizes must be non-negative with NH, NKV, HS > 0 (" + dims(p) + ")");
  ATTNSCOPE_CHECK(p.NH % p.NKV == 0, ShapeError,
                  "attention: NH must be a multiple of NKV for grouped-query attention (" + dims(p) + ")");
  ATTNSCOPE_CHECK(p.N < (int64_t{1} << 24) && p.T < (int64_t{1} << 31), ShapeError,
                  "attention: N must be < 2^24 keys (" + dims(p) + ")");
  ATTNSCOPE_CHECK(p.window >= 0, ConfigError, "attention: window must be >= 0");
  ATTNSCOPE_CHECK(std::isfinite(p.scale) && p.scale >= 0, ConfigError,
                  "attention: scale must be finite and > 0 (0 selects 1/sqrt(HS))");
  if (p.B > 0 && p.T > 0) {
    ATTNSCOPE_CHECK(p.q && p.o, ShapeError, "attention: q and o must be set (" + dims(p) + ")");
    ATTNSCOPE_CHECK(p.N == 0 || (p.k && p.v), ShapeError, "attention: k and v must be set (" + dims(p) + ")");
  }
  check_strides("q", p.q_batch_stride, p.q_head_stride, p.q_row_stride, p.T, p.HS, p);
  check_strides("k", p.k_batch_stride, p.k_head_stride, p.k_row_stride, p.N, p.HS, p);
  check_strides("v", p.v_batch_stride, p.v_head_stride, p.v_row_stride, p.N, p.HS, p);
  check_strides("o", p.o_batch_stride, p.o_head_stride, p.o_row_stride, p.T, p.HS, p);
  if (p.bias) {
    ATTNSCOPE_CHECK(p.bias_batch_stride >= 0 && p.bias_head_stride >= 0 &&
                        (p.T <= 1 || p.bias_row_stride >= p.N),
                    ShapeError, "attention: bias strides must be >= 0 with row stride >= N (" + dims(p) + ")");
  }
  if (p.key_lengths) {
    for (int64_t b = 0; b < p.B; ++b)
      ATTNSCOPE_CHECK(p.key_lengths[b] >= 0 && p.key_lengths[b] <= p.N, ShapeError,
                      "attention: key_lengths[" + std::to_string(b) + "] = " +
                          std::to_string(p.key_lengths[b]) + " outside [0, N=" + std::to_string(p.N) + "]");
  }
  switch (c.mode) {
    case CaptureMode::none: break;
    case CaptureMode::stats:
      ATTNSCOPE_CHECK(c.lse || c.entropy || c.max_weight || c.argmax, ConfigError,
                      "attention capture stats: no output buffer set (lse, entropy, max_weight, argmax)");
      break;
    case CaptureMode::topk:
      ATTNSCOPE_CHECK(c.k >= 1 && c.k <= 256, ConfigError,
                      "attention capture topk: k must be in [1, 256], got " + std::to_string(c.k));
      ATTNSCOPE_CHECK(c.topk_index || c.topk_weight, ConfigError,
                      "attention capture topk: no output buffer set (topk_index, topk_weight)");
      break;
    case CaptureMode::dense:
      ATTNSCOPE_CHECK(c.dense, ConfigError, "attention capture dense: dense buffer not set");
      break;
  }
}

void validate(const AttentionBackwardParams& p) {
  validate(static_cast<const AttentionParams&>(p), AttentionCapture{});
  ATTNSCOPE_CHECK(!p.head_skip, ConfigError, "attention backward: skipped (pruned) heads are forward only");
  if (p.B > 0 && p.T > 0 && p.N > 0)
    ATTNSCOPE_CHECK(p.dout && p.dq && p.dk && p.dv, ShapeError,
                    "attention backward: dout, dq, dk and dv must be set (" + dims(p) + ")");
  check_strides("dout", p.dout_batch_stride, p.dout_head_stride, p.dout_row_stride, p.T, p.HS, p);
  check_strides("dq", p.dq_batch_stride, p.dq_head_stride, p.dq_row_stride, p.T, p.HS, p);
  check_strides("dk", p.dk_batch_stride, p.dk_head_stride, p.dk_row_stride, p.N, p.HS, p);
  check_strides("dv", p.dv_batch_stride, p.dv_head_stride, p.dv_row_stride, p.N, p.HS, p);
}

void flash_attention_forward(const AttentionParams& p, const AttentionCapture& c) {
  validate(p, c);
  if (p.B == 0 || p.T == 0) return;
  switch (active_isa()) {
    case Isa::avx512: detail::flash_forward_avx512(p, c); break;
    case Isa::avx2: detail::flash_forward_avx2(p, c); break;
    case Isa::scalar: detail::flash_forward_scalar(p, c); break;
  }
}

void attention_forward(const AttentionParams& p, const AttentionCapture& c) {
  if (p.T <= kFewQueries) attention_ref_forward(p, c);
  else flash_attention_forward(p, c);
}

void flash_attention_backward(const AttentionBackwardParams& p) {
  validate(p);
  ATTNSCOPE_CHECK(p.B == 0 || p.T == 0 || p.N == 0 || p.lse, ShapeError,
                  "attention backward: lse from the forward is required (params.lse)");
  ATTNSCOPE_CHECK(p.B == 0 || p.T == 0 || p.N == 0 || p.o, ShapeError,
                  "attention backward: o from the forward is required (params.o)");
  if (p.B == 0 || p.T == 0 || p.N == 0) return;
  switch (active_isa()) {
    case Isa::avx512: detail::flash_backward_avx512(p); break;
    case Isa::avx2: detail::flash_backward_avx2(p); break;
    case Isa::scalar: detail::flash_backward_scalar(p); break;
  }
}

size_t flash_attention_workspace_bytes(const AttentionParams& p, bool backward) {
  size_t per_thread = 0;
  switch (active_isa()) {
    case Isa::avx512: per_thread = detail::flash_workspace_floats_avx512(p, backward); break;
    case Isa::avx2: per_thread = detail::flash_workspace_floats_avx2(p, backward); break;
    case Isa::scalar: per_thread = detail::flash_workspace_floats_scalar(p, backward); break;
  }
  size_t bytes = per_thread * sizeof(float) * static_cast<size_t>(num_threads());
  // The backward sums dq from per-thread partials [B, NH, T, HS].
  if (backward) bytes += static_cast<size_t>(num_threads() * p.B * p.NH * p.T * p.HS) * sizeof(float);
  return bytes;
}

}  // namespace attnscope::kernels
