// Fused scaled-dot-product attention on the CPU (FlashAttention-2 tiling) with focus capture.
//
//   O = softmax(scale * Q K^T + bias + mask) V        per batch b, query head h
//
// Shape legend (element counts; every tensor is addressed through explicit strides, so views
// of larger buffers — fused QKV, [B, T, NH, HS] layouts — need no copy):
//   B   batch                         NH  query heads        NKV key/value heads (GQA: NH % NKV == 0,
//   T   queries per sequence          N   keys per sequence       query head h reads kv head h / (NH / NKV))
//   HS  head size (any; 32, 64, 80, 96, 128 are the tuned ones)
//   q   [B, NH, T, HS]    k, v [B, NKV, N, HS]    o [B, NH, T, HS] (f32)    lse [B, NH, T]
// The innermost (HS) stride is 1 everywhere; the other three strides are free (may be 0 to
// broadcast a bias over batch or heads).
//
// Masking is derived from indices, never read from an N x N mask:
//   query row i sits at key position p(i) = i + (N - T)   (bottom-right alignment: decoding with a
//   KV cache of N keys and T new queries works; T == N is plain self-attention)
//   key j is visible to row i iff  j < key_lengths[b]          (padding / variable lengths)
//                               and j <= p(i)                   (causal)
//                               and j >  p(i) - window          (sliding window, window > 0)
//   A row that sees no key gets o = 0 and lse = -inf (capture: entropy 0, max 0, argmax -1).
// Additive bias: ALiBi  -alibi_slopes[h] * |p(i) - j|  (computed on the fly) and/or a user bias
// matrix bias[b, h, i, j] (f32, strides below). Both are added after scaling.
//
// Reference and fused paths take the same structs: attention_ref_* is the plain
// GEMM + softmax + GEMM path (builds the T x N matrix; always built) that tests compare with.
#pragma once
#include <cstddef>
#include <cstdint>

namespace attnscope::kernels {

enum class StorageType : uint8_t { f32, bf16 };   // element type of q, k, v (compute is f32)
enum class CaptureMode : uint8_t { none, stats, topk, dense };
enum class DenseType : uint8_t { f32, f16 };

struct AttentionParams {
  int64_t B = 1, NH = 1, NKV = 1, T = 0, N = 0, HS = 0;
  StorageType dtype = StorageType::f32;
  // bf16 storage: q, k, v point to uint16_t (bfloat16 bit patterns); else float.
  const void* q = nullptr;
  const void* k = nullptr;
  const void* v = nullptr;
  float* o = nullptr;
  // Element strides (batch, head, row); innermost stride is 1.
  int64_t q_batch_stride = 0, q_head_stride = 0, q_row_stride = 0;
  int64_t k_batch_stride = 0, k_head_stride = 0, k_row_stride = 0;
  int64_t v_batch_stride = 0, v_head_stride = 0, v_row_stride = 0;
  int64_t o_batch_stride = 0, o_head_stride = 0, o_row_stride = 0;
  float scale = 0;        // 0: 1 / sqrt(HS)
  bool causal = false;
  int64_t window = 0;     // > 0: sliding window of that many keys ending at p(i)
  const float* alibi_slopes = nullptr;            // [NH] or null
  const float* bias = nullptr;                    // [B, NH, T, N] via strides, or null
  int64_t bias_batch_stride = 0, bias_head_stride = 0, bias_row_stride = 0;
  const int32_t* key_lengths = nullptr;           // [B] valid keys per batch (<= N), or null
  // [NH] or null: heads not computed at all (pruned; Michel et al. 2019). Their o rows, lse and
  // capture entries are left as they were; the caller owns what they mean. Forward only.
  const uint8_t* head_skip = nullptr;
  // Forward: written when non-null (the backward needs it). Backward: read (required).
  float* lse = nullptr;                           // [B, NH, T] contiguous, natural log
};

// Backward inputs and outputs, FlashAttention style: extends the forward params (which must hold
// q, k, v, o and lse as produced by the forward) with dO and the three gradients.
// Gradients are ACCUMULATED (+=) in f32: callers zero them first.
struct AttentionBackwardParams : AttentionParams {
  const float* dout = nullptr;                    // [B, NH, T, HS]
  int64_t dout_batch_stride = 0, dout_head_stride = 0, dout_row_stride = 0;
  float* dq = nullptr;                            // [B, NH, T, HS]
  float* dk = nullptr;                            // [B, NKV, N, HS]
  float* dv = nullptr;                            // [B, NKV, N, HS]
  int64_t dq_batch_stride = 0, dq_head_stride = 0, dq_row_stride = 0;
  int64_t dk_batch_stride = 0, dk_head_stride = 0, dk_row_stride = 0;
  int64_t dv_batch_stride = 0, dv_head_stride = 0, dv_row_stride = 0;
};

// What the kernel tells about where each query looked; written straight into caller buffers
// (the attention::Recorder's). Only the dense mode materializes T x N numbers.
struct AttentionCapture {
  CaptureMode mode = CaptureMode::none;
  // stats: per query [B, NH, T], contiguous; any pointer may be null.
  float* lse = nullptr;          // log-sum-exp of the (scaled, biased) scores
  float* entropy = nullptr;      // -sum_j p_j log p_j (nats)
  float* max_weight = nullptr;   // max_j p_j
  int32_t* argmax = nullptr;     // first j with the max weight (-1 when no key is visible)
  // topk: [B, NH, T, k] contiguous, by descending weight (ties: lower key first); exact
  // normalized weights. Slots beyond the number of visible keys hold index -1, weight 0.
  int k = 0;
  int32_t* topk_index = nullptr;
  float* topk_weight = nullptr;
  // dense: probabilities [B, NH, T, N] contiguous (f32 or IEEE half); masked entries are 0.
  void* dense = nullptr;
  DenseType dense_type = DenseType::f32;
};

// Strides for contiguous q/o [B, NH, T, HS], k/v [B, NKV, N, HS] (and dq/dk/dv/dout alike).
void set_contiguous_strides(AttentionParams& p);
void set_contiguous_strides(AttentionBackwardParams& p);

// Throws ShapeError / ConfigError naming the problem (sizes, strides, GQA ratio, capture).
void validate(const AttentionParams& p, const AttentionCapture& capture);
void validate(const AttentionBackwardParams& p);

// The forward callers use: the fused kernel, or the reference path for a few queries
// (T <= kFewQueries: decoding against a KV cache), where the fused kernel's query tile (32-64
// rows) would be mostly padding and reading K and V once is the whole cost
// (bench/attention: attention/{flash,ref}/f32/fwd/none/.../t:1).
inline constexpr int64_t kFewQueries = 8;
void attention_forward(const AttentionParams& p, const AttentionCapture& capture = AttentionCapture{});
// Fused forward on the active ISA (kernels/isa.h). Threads over B x NH x query tiles with
// attnscope::parallel_for; each output element is computed by one thread in a fixed order, so
// results do not depend on the thread count. Extra memory: O((N + T) * HS) per thread.
void flash_attention_forward(const AttentionParams& p,
                             const AttentionCapture& capture = AttentionCapture{});
// Fused backward: recomputes probabilities tile by tile from lse. dq, dk, dv += gradients.
// Threads over B x NKV x key tiles; dq is summed from per-thread partials in a fixed order,
// so results are deterministic for a given thread count.
void flash_attention_backward(const AttentionBackwardParams& p);

// Reference: per (b, h) S = scale Q K^T + bias (T x N, cblas), masked softmax, O = P V.
void attention_ref_forward(const AttentionParams& p,
                           const AttentionCapture& capture = AttentionCapture{});
// Reference backward (same accumulate contract); needs only q, k, v, dout (recomputes P).
void attention_ref_backward(const AttentionBackwardParams& p);

// Bytes of scratch the fused forward / backward allocate for these params (all threads),
// besides the caller's buffers: what "extra memory" means in the benchmarks.
size_t flash_attention_workspace_bytes(const AttentionParams& p, bool backward);

}  // namespace attnscope::kernels
