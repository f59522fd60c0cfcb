// Fused attention vs the reference path, on every ISA this CPU supports: outputs, lse, the three
// gradients, each capture mode, bf16 storage, determinism, and input validation.
#include "attnscope/kernels/attention/flash_attention.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "attention_case.h"
#include "attnscope/core/error.h"
#include "attnscope/core/half.h"
#include "attnscope/core/parallel.h"
#include "attnscope/kernels/isa.h"

namespace attnscope::kernels {
namespace {

using testing::Case;
using testing::CaseSpec;
using testing::rel_err;

// Restores the active ISA after a test that switches it.
struct IsaGuard {
  Isa saved = active_isa();
  ~IsaGuard() { set_active_isa(saved); }
};

struct Forward {
  std::vector<float> o, lse;
};

Forward run_forward(const Case& c, bool fused, bool bf16 = false,
                    const AttentionCapture& cap = AttentionCapture{}) {
  Forward f;
  f.o.assign(c.q_size(), -7.0f);  // sentinel: every element must be written
  f.lse.assign(c.rows(), -7.0f);
  AttentionParams p = c.params(f.o.data(), f.lse.data(), bf16);
  if (fused) flash_attention_forward(p, cap);
  else attention_ref_forward(p, cap);
  return f;
}

struct Grads {
  std::vector<float> dq, dk, dv;
};

Grads run_backward(const Case& c, bool fused, float init = 0.0f) {
  Forward f = run_forward(c, false);  // same forward for both: the gradients are what differ
  Grads g{std::vector<float>(c.q_size(), init), std::vector<float>(c.kv_size(), init),
          std::vector<float>(c.kv_size(), init)};
  AttentionBackwardParams p;
  static_cast<AttentionParams&>(p) = c.params(f.o.data(), f.lse.data(), false);
  const AttentionParams strided = p;
  set_contiguous_strides(p);
  // keep the (possibly strided) q/k/v/o layout of the case; dout and grads are contiguous
  p.q_row_stride = strided.q_row_stride; p.q_head_stride = strided.q_head_stride;
  p.k_row_stride = strided.k_row_stride; p.k_head_stride = strided.k_head_stride;
  p.v_row_stride = strided.v_row_stride; p.v_head_stride = strided.v_head_stride;
  p.o_row_stride = strided.o_row_stride; p.o_head_stride = strided.o_head_stride;
  p.dout = c.dout.data();
  p.dq = g.dq.data();
  p.dk = g.dk.data();
  p.dv = g.dv.data();
  if (fused) flash_attention_backward(p);
  else attention_ref_backward(p);
  return g;
}

constexpr double kTol = 1e-5;

void expect_forward_match(const CaseSpec& spec, double tol = kTol) {
  IsaGuard guard;
  const Case c(spec);
  const Forward ref = run_forward(c, false);
  for (Isa isa : supported_isas()) {
    set_active_isa(isa);
    const Forward got = run_forward(c, true);
    EXPECT_LE(rel_err(got.o, ref.o), tol) << spec.name() << " isa=" << isa_name(isa) << " (o)";
    EXPECT_LE(rel_err(got.lse, ref.lse), tol) << spec.name() << " isa=" << isa_name(isa) << " (lse)";
  }
}

void expect_backward_match(const CaseSpec& spec, double tol = kTol) {
  IsaGuard guard;
  const Case c(spec);
  const Grads ref = run_backward(c, false);
  for (Isa isa : supported_isas()) {
    set_active_isa(isa);
    const Grads got = run_backward(c, true);
    EXPECT_LE(rel_err(got.dq, ref.dq), tol) << spec.name() << " isa=" << isa_name(isa) << " (dq)";
    EXPECT_LE(rel_err(got.dk, ref.dk), tol) << spec.name() << " isa=" << isa_name(isa) << " (dk)";
    EXPECT_LE(rel_err(got.dv, ref.dv), tol) << spec.name() << " isa=" << isa_name(isa) << " (dv)";
  }
}

const int64_t kHeadSizes[] = {32, 64, 80, 96, 128};

// The grid: N = 1, 7, 63, 64, 65, 1000, 4097 x head_dim 32..128 x causal or not. Large N
// uses few queries (bottom-right aligned, like decoding) to keep the O(T N) reference fast.
TEST(FlashAttention, ForwardGridMatchesReference) {
  int which = 0;
  for (int64_t N : {1, 7, 63, 64, 65, 1000, 4097}) {
    for (bool causal : {false, true}) {
      CaseSpec s;
      s.N = N;
      s.T = N <= 65 ? N : 70;
      s.HS = kHeadSizes[which++ % 5];
      s.causal = causal;
      s.seed = static_cast<uint64_t>(N * 2 + causal);
      expect_forward_match(s);
    }
  }
  for (int64_t HS : kHeadSizes) {
    CaseSpec s;
    s.T = s.N = 130;
    s.HS = HS;
    expect_forward_match(s);
  }
}

TEST(FlashAttention, ForwardOptionsMatchReference) {
  std::vector<CaseSpec> specs;
  auto add = [&](auto edit) {
    CaseSpec s;
    s.T = 77;
    s.N = 150;
    s.HS = 64;
    s.B = 2;
    edit(s);
    specs.push_back(s);
  };
  add([](CaseSpec& s) { s.bias = true; });
  add([](CaseSpec& s) { s.alibi = true; s.causal = true; });
  add([](CaseSpec& s) { s.alibi = true; });
  add([](CaseSpec& s) { s.window = 20; });
  add([](CaseSpec& s) { s.window = 33; s.causal = true; s.HS = 80; });
  add([](CaseSpec& s) { s.padding = true; });
  add([](CaseSpec& s) { s.padding = true; s.causal = true; s.bias = true; });
  add([](CaseSpec& s) { s.NH = 4; s.NKV = 2; s.causal = true; });
  add([](CaseSpec& s) { s.NH = 6; s.NKV = 1; s.HS = 96; });
  add([](CaseSpec& s) { s.strided = true; s.NH = 3; s.NKV = 3; s.HS = 32; });
  add([](CaseSpec& s) { s.T = 1; s.N = 333; s.causal = true; });       // decoding step
  add([](CaseSpec& s) { s.HS = 40; s.causal = true; s.alibi = true; });  // untuned head size
  for (const CaseSpec& s : specs) expect_forward_match(s);
}

TEST(FlashAttention, BackwardGridMatchesReference) {
  int which = 0;
  for (int64_t N : {1, 7, 63, 64, 65, 1000}) {
    for (bool causal : {false, true}) {
      CaseSpec s;
      s.N = N;
      s.T = N <= 65 ? N : 90;
      s.HS = kHeadSizes[which++ % 5];
      s.causal = causal;
      s.seed = static_cast<uint64_t>(N * 2 + causal + 100);
      expect_backward_match(s);
    }
  }
  CaseSpec big;  // N = 4097 with a few queries
  big.N = 4097;
  big.T = 20;
  big.NH = big.NKV = 1;
  big.HS = 64;
  expect_backward_match(big);
}

TEST(FlashAttention, BackwardOptionsMatchReference) {
  std::vector<CaseSpec> specs;
  auto add = [&](auto edit) {
    CaseSpec s;
    s.T = 70;
    s.N = 90;
    s.HS = 32;
    s.B = 2;
    edit(s);
    specs.push_back(s);
  };
  add([](CaseSpec& s) { s.bias = true; });
  add([](CaseSpec& s) { s.alibi = true; s.causal = true; });
  add([](CaseSpec& s) { s.window = 17; s.causal = true; s.HS = 64; });
  add([](CaseSpec& s) { s.padding = true; });
  add([](CaseSpec& s) { s.NH = 4; s.NKV = 2; s.HS = 80; });
  add([](CaseSpec& s) { s.NH = 4; s.NKV = 1; s.causal = true; s.HS = 128; });
  add([](CaseSpec& s) { s.strided = true; s.NH = 2; s.HS = 96; });
  for (const CaseSpec& s : specs) expect_backward_match(s);
}

TEST(FlashAttention, BackwardAccumulatesIntoGradients) {
  IsaGuard guard;
  CaseSpec s;
  s.T = s.N = 40;
  const Case c(s);
  const Grads zero = run_backward(c, true, 0.0f);
  const Grads one = run_backward(c, true, 1.0f);
  for (size_t i = 0; i < zero.dq.size(); ++i) ASSERT_NEAR(one.dq[i], zero.dq[i] + 1.0f, 1e-5);
  for (size_t i = 0; i < zero.dk.size(); ++i) ASSERT_NEAR(one.dk[i], zero.dk[i] + 1.0f, 1e-5);
  for (size_t i = 0; i < zero.dv.size(); ++i) ASSERT_NEAR(one.dv[i], zero.dv[i] + 1.0f, 1e-5);
}

// Finite differences on the reference backward (the fused one is compared against it above).
TEST(FlashAttention, ReferenceBackwardMatchesFiniteDifferences) {
  CaseSpec s;
  s.T = 5; s.N = 6; s.HS = 4; s.NH = 2; s.NKV = 1; s.causal = true; s.bias = true; s.alibi = true;
  Case c(s);
  const Grads g = run_backward(c, false);
  auto loss = [&]() {
    const Forward f = run_forward(c, false);
    double L = 0;
    for (size_t i = 0; i < f.o.size(); ++i) L += double(f.o[i]) * c.dout[i];
    return L;
  };
  const double eps = 1e-2;
  auto check = [&](std::vector<float>& x, const std::vector<float>& grad, const char* what) {
    for (size_t i = 0; i < x.size(); i += 3) {
      const float saved = x[i];
      x[i] = saved + static_cast<float>(eps);
      const double up = loss();
      x[i] = saved - static_cast<float>(eps);
      const double down = loss();
      x[i] = saved;
      EXPECT_NEAR((up - down) / (2 * eps), grad[i], 2e-3) << what << "[" << i << "]";
    }
  };
  check(c.q, g.dq, "dq");
  check(c.k, g.dk, "dk");
  check(c.v, g.dv, "dv");
}

TEST(FlashAttention, EmptyRowsGiveZeroOutputAndMinusInfLse) {
  IsaGuard guard;
  CaseSpec s;
  s.B = 2; s.T = 9; s.N = 2; s.padding = true;  // batch 1 has length max(0, 2 - 3 - 2) = 0
  const Case c(s);
  const Forward ref = run_forward(c, false);
  for (Isa isa : supported_isas()) {
    set_active_isa(isa);
    const Forward got = run_forward(c, true);
    const size_t half = got.o.size() / 2;
    for (size_t i = half; i < got.o.size(); ++i) ASSERT_EQ(got.o[i], 0.0f) << isa_name(isa);
    for (size_t i = got.lse.size() / 2; i < got.lse.size(); ++i) ASSERT_TRUE(std::isinf(got.lse[i]));
    EXPECT_LE(rel_err(got.o, ref.o), kTol);
  }
}

// ---- capture modes ----------------------------------------------------------------------------

struct Stats {
  std::vector<float> lse, entropy, maxw;
  std::vector<int32_t> argmax;
  explicit Stats(size_t n) : lse(n, -5), entropy(n, -5), maxw(n, -5), argmax(n, -5) {}
  AttentionCapture capture() {
    AttentionCapture c;
    c.mode = CaptureMode::stats;
    c.lse = lse.data();
    c.entropy = entropy.data();
    c.max_weight = maxw.data();
    c.argmax = argmax.data();
    return c;
  }
};

TEST(FlashAttentionCapture, StatsMatchReference) {
  IsaGuard guard;
  for (CaseSpec s : {CaseSpec{}, CaseSpec{}, CaseSpec{}}) {
    static int n = 0;
    s.T = 70; s.N = 300; s.HS = 64; s.B = 2;
    s.causal = n == 1;
    s.padding = s.bias = n == 2;
    s.seed = 40 + n++;
    const Case c(s);
    Stats ref(c.rows());
    run_forward(c, false, false, ref.capture());
    for (Isa isa : supported_isas()) {
      set_active_isa(isa);
      Stats got(c.rows());
      run_forward(c, true, false, got.capture());
      EXPECT_LE(rel_err(got.lse, ref.lse), kTol) << s.name() << " " << isa_name(isa);
      for (size_t i = 0; i < c.rows(); ++i) {
        ASSERT_NEAR(got.entropy[i], ref.entropy[i], kTol * std::max(1.0f, ref.entropy[i])) << i;
        ASSERT_NEAR(got.maxw[i], ref.maxw[i], kTol) << i;
        ASSERT_EQ(got.argmax[i], ref.argmax[i]) << i;
      }
    }
  }
}

TEST(FlashAttentionCapture, TopkMatchesReference) {
  IsaGuard guard;
  for (int k : {1, 8, 40}) {
    CaseSpec s;
    s.T = 50; s.N = 260; s.HS = 32; s.causal = k == 8; s.window = k == 40 ? 30 : 0;
    s.seed = 70 + k;
    const Case c(s);
    std::vector<int32_t> ref_i(c.rows() * k), got_i(c.rows() * k);
    std::vector<float> ref_w(c.rows() * k), got_w(c.rows() * k);
    AttentionCapture cap;
    cap.mode = CaptureMode::topk;
    cap.k = k;
    cap.topk_index = ref_i.data();
    cap.topk_weight = ref_w.data();
    run_forward(c, false, false, cap);
    for (Isa isa : supported_isas()) {
      set_active_isa(isa);
      cap.topk_index = got_i.data();
      cap.topk_weight = got_w.data();
      run_forward(c, true, false, cap);
      for (size_t r = 0; r < c.rows(); ++r) {
        const std::set<int32_t> a(ref_i.begin() + r * k, ref_i.begin() + (r + 1) * k);
        const std::set<int32_t> b(got_i.begin() + r * k, got_i.begin() + (r + 1) * k);
        ASSERT_EQ(a, b) << "row " << r << " k=" << k << " " << isa_name(isa);
        for (int j = 0; j < k; ++j) ASSERT_NEAR(got_w[r * k + j], ref_w[r * k + j], kTol);
      }
    }
  }
}

TEST(FlashAttentionCapture, DenseMatchesReference) {
  IsaGuard guard;
  CaseSpec s;
  s.T = 45; s.N = 140; s.HS = 64; s.causal = true; s.B = 2; s.padding = true;
  const Case c(s);
  const size_t n = c.rows() * s.N;
  std::vector<float> ref(n), got(n, -1);
  std::vector<uint16_t> got16(n, 0xffff);
  AttentionCapture cap;
  cap.mode = CaptureMode::dense;
  cap.dense = ref.data();
  run_forward(c, false, false, cap);
  for (Isa isa : supported_isas()) {
    set_active_isa(isa);
    cap.dense = got.data();
    cap.dense_type = DenseType::f32;
    run_forward(c, true, false, cap);
    EXPECT_LE(rel_err(got, ref), kTol) << isa_name(isa);
    cap.dense = got16.data();
    cap.dense_type = DenseType::f16;
    run_forward(c, true, false, cap);
    for (size_t i = 0; i < n; ++i) ASSERT_NEAR(f16_to_f32(got16[i]), ref[i], 1e-3 * ref[i] + 1e-7) << i;
  }
}

// ---- bf16 storage -----------------------------------------------------------------------------

TEST(FlashAttention, Bf16StorageCloseToReference) {
  IsaGuard guard;
  for (bool causal : {false, true}) {
    CaseSpec s;
    s.T = 100; s.N = 333; s.HS = 64; s.bf16 = true; s.causal = causal;
    const Case c(s);
    const Forward ref = run_forward(c, false, false);  // f32 path on the same rounded values
    for (Isa isa : supported_isas()) {
      set_active_isa(isa);
      const Forward got = run_forward(c, true, true);
      // The avx512 path rounds P to bf16 for the PV product (like FlashAttention's fp16 P).
      EXPECT_LE(rel_err(got.o, ref.o), 1e-2) << isa_name(isa);
      EXPECT_LE(rel_err(got.lse, ref.lse), 1e-5) << isa_name(isa);
    }
  }
}

// ---- determinism and validation ----------------------------------------------------------------

TEST(FlashAttention, ResultsDoNotDependOnThreadCount) {
  CaseSpec s;
  s.T = 200; s.N = 200; s.NH = 3; s.NKV = 3; s.causal = true;
  const Case c(s);
  const int saved = num_threads();
  set_num_threads(1);
  const Forward one = run_forward(c, true);
  const Grads g1 = run_backward(c, true);
  set_num_threads(2);
  const Forward two = run_forward(c, true);
  const Grads g2a = run_backward(c, true), g2b = run_backward(c, true);
  set_num_threads(saved);
  EXPECT_EQ(one.o, two.o);
  EXPECT_EQ(g2a.dq, g2b.dq);  // same thread count: bitwise identical
  EXPECT_EQ(g2a.dk, g2b.dk);
  EXPECT_LE(rel_err(g1.dq, g2a.dq), kTol);
}

TEST(FlashAttention, RejectsBadInput) {
  CaseSpec s;
  s.NH = 3; s.NKV = 2;
  const Case c(s);
  std::vector<float> o(c.q_size()), lse(c.rows());
  AttentionParams p = c.params(o.data(), lse.data(), false);
  EXPECT_THROW(flash_attention_forward(p), ShapeError);  // NH % NKV != 0
  p.NKV = 3;
  p.NH = 3;
  std::vector<int32_t> bad_len{99};
  p.key_lengths = bad_len.data();
  EXPECT_THROW(flash_attention_forward(p), ShapeError);
  p.key_lengths = nullptr;
  p.q_row_stride = 3;
  EXPECT_THROW(flash_attention_forward(p), ShapeError);
  set_contiguous_strides(p);
  AttentionCapture cap;
  cap.mode = CaptureMode::topk;
  cap.k = 0;
  EXPECT_THROW(flash_attention_forward(p, cap), ConfigError);
  cap.mode = CaptureMode::dense;
  EXPECT_THROW(flash_attention_forward(p, cap), ConfigError);
  p.scale = -1.0f;
  EXPECT_THROW(flash_attention_forward(p), ConfigError);
  AttentionBackwardParams bp;
  static_cast<AttentionParams&>(bp) = c.params(o.data(), nullptr, false);
  EXPECT_THROW(flash_attention_backward(bp), ShapeError);  // no dout / grads
}

TEST(FlashAttention, NumberConversions) {
  EXPECT_EQ(bf16_to_f32(f32_to_bf16(1.0f)), 1.0f);
  EXPECT_EQ(f32_to_bf16(1.00390625f), 0x3f80);  // tie rounds to even
  for (float x : {0.0f, 1.0f, -2.5f, 65504.0f, 6.1035156e-05f, 5.9604645e-08f, 0.333333f})
    EXPECT_NEAR(f16_to_f32(f32_to_f16(x)), x, std::fabs(x) * 1e-3f) << x;
  EXPECT_TRUE(std::isinf(f16_to_f32(f32_to_f16(1e6f))));
}

}  // namespace
}  // namespace attnscope::kernels
