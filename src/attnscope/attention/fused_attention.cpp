// fused_attention forward and backward: both are calls into the kernel (see fused_attention.h).
#include "attnscope/attention/fused_attention.h"

#include "attnscope/attention/op_registry.h"
#include "attnscope/attention/qkv_text.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {
const autograd::OpDef kOp_fused_attention{"fused_attention"};

namespace {

// Everything the kernel reads, kept alive for the backward.
struct Saved {
  Tensor q, k, v, o, lse, bias;  // contiguous f32
  FusedAttentionConfig cfg;
  int64_t B, NH, NKV, T, N, HS;
};

void fill_params(kernels::AttentionParams& p, const Saved& s) {
  p.B = s.B; p.NH = s.NH; p.NKV = s.NKV; p.T = s.T; p.N = s.N; p.HS = s.HS;
  p.q = s.q.data<float>();
  p.k = s.k.data<float>();
  p.v = s.v.data<float>();
  p.scale = s.cfg.scale;
  p.causal = s.cfg.causal;
  p.window = s.cfg.window;
  p.alibi_slopes = s.cfg.alibi_slopes.empty() ? nullptr : s.cfg.alibi_slopes.data();
  p.key_lengths = s.cfg.key_lengths.empty() ? nullptr : s.cfg.key_lengths.data();
  if (s.bias.defined()) {
    // [Bb, Hb, T, N] with Bb in {1, B}, Hb in {1, NH}: size-1 dims broadcast through stride 0.
    const int64_t Bb = s.bias.size(0), Hb = s.bias.size(1);
    p.bias = s.bias.data<float>();
    p.bias_row_stride = s.N;
    p.bias_head_stride = Hb == 1 ? 0 : s.T * s.N;
    p.bias_batch_stride = Bb == 1 ? 0 : Hb * s.T * s.N;
  }
  p.lse = const_cast<float*>(s.lse.data<float>());
}

}  // namespace

Tensor fused_attention(const Tensor& q, const Tensor& k, const Tensor& v, const FusedAttentionConfig& cfg,
                       const kernels::AttentionCapture& capture, Tensor* lse_out) {
  if (!q.defined() || !k.defined() || !v.defined() || q.ndim() != 4 || k.ndim() != 4 || v.ndim() != 4)
    throw ShapeError("fused_attention: expected q [B, NH, T, HS], k, v [B, NKV, N, HS]");
  if (q.dtype() != DType::f32 || k.dtype() != DType::f32 || v.dtype() != DType::f32)
    throw ShapeError("fused_attention: the fused kernel is float32 only, got " + qkv_dims(q, k, v));
  if (!(k.shape() == v.shape()) || k.size(0) != q.size(0) || k.size(3) != q.size(3))
    throw ShapeError("fused_attention: " + qkv_dims(q, k, v) + " do not match [B, NH, T, HS], [B, NKV, N, HS]");
  auto s = std::make_shared<Saved>();
  s->B = q.size(0); s->NH = q.size(1); s->T = q.size(2); s->HS = q.size(3);
  s->NKV = k.size(1); s->N = k.size(2);
  if (s->NH % s->NKV) throw ShapeError("fused_attention: NH must be a multiple of NKV, got " + qkv_dims(q, k, v));
  if (!cfg.alibi_slopes.empty() && static_cast<int64_t>(cfg.alibi_slopes.size()) != s->NH)
    throw ShapeError("fused_attention: " + std::to_string(cfg.alibi_slopes.size()) + " ALiBi slopes for " + std::to_string(s->NH) + " heads");
  s->q = q.detach().contiguous();
  s->k = k.detach().contiguous();
  s->v = v.detach().contiguous();
  s->cfg = cfg;
  if (cfg.bias.defined()) {
    autograd::NoGrad ng;
    Tensor b = cfg.bias.detach().to(DType::f32);
    if (b.ndim() > 4) throw ShapeError("fused_attention: bias " + b.str() + " has more than 4 dims");
    while (b.ndim() < 4) b = ops::reshape(b, [&] { Shape sh{1}; for (int64_t d : b.shape()) sh.push_back(d); return sh; }());
    const Shape full{s->B, s->NH, s->T, s->N};
    for (int d = 0; d < 4; ++d)
      if (b.size(d) != 1 && b.size(d) != full[d])
        throw ShapeError("fused_attention: bias " + cfg.bias.str() + " does not broadcast to scores " + full.str());
    if (b.size(2) != s->T || b.size(3) != s->N) b = ops::add(b, Tensor::zeros(Shape{1, 1, s->T, s->N}));
    s->bias = b.contiguous();
    s->cfg.bias = Tensor();
  }
  s->lse = Tensor::empty(Shape{s->B, s->NH, s->T});
  Tensor o = Tensor::empty(q.shape());
  kernels::AttentionParams p;
  fill_params(p, *s);
  p.o = o.data<float>();
  kernels::set_contiguous_strides(p);
  kernels::validate(p, capture);
  kernels::attention_forward(p, capture);
  s->o = o.detach();
  if (lse_out) *lse_out = s->lse;
  autograd::record(kOp_fused_attention, {q, k, v}, o, [s](const Tensor& g) {
    const Tensor gc = g.contiguous().to(DType::f32);
    Tensor dq = Tensor::zeros(s->q.shape()), dk = Tensor::zeros(s->k.shape()), dv = Tensor::zeros(s->v.shape());
    kernels::AttentionBackwardParams bp;
    fill_params(bp, *s);
    bp.o = const_cast<float*>(s->o.data<float>());
    bp.dout = gc.data<float>();
    bp.dq = dq.data<float>();
    bp.dk = dk.data<float>();
    bp.dv = dv.data<float>();
    kernels::set_contiguous_strides(bp);
    kernels::validate(bp);
    kernels::flash_attention_backward(bp);
    return std::vector<Tensor>{dq, dk, dv};
  });
  return o;
}

}  // namespace attnscope::attention
