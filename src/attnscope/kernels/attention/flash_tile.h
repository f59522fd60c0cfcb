// The tiled FlashAttention-2 forward and backward, written once over a small vector interface and
// instantiated by each flash_attention_<isa>.cpp with its own vector type (Highway-style: this
// header holds no intrinsics). Everything is in an anonymous namespace so each ISA's copy keeps
// internal linkage and cannot be merged with a copy compiled for another ISA.
//
// Tiling (letters as in flash_attention.h; Br queries x Bc keys per tile, D = HS padded to W):
//   per thread, per (b, kv head): Kp [Np, D], Vp [Np, D] packed once (zero rows past N)
//   per query tile:  Qt [D, Br]   (transposed, scale folded in)
//                    OT [D, Br]   output accumulator, transposed
//   per key tile:    S  [Bc, Br] = Kp[j0:j0+Bc] . Qt       scores, one column per query
//                    online softmax down the columns -> P [Bc, Br] (in place)
//                    OT = OT * alpha + Vp[j0:j0+Bc]^T . P
// Queries run along the vector lanes, so every softmax step (max, exp, sums, rescale) is a
// vertical vector op: no horizontal reductions. All four products of the forward and the five of
// the backward are one register-tiled GEMM shape, C[M, cols] (+)= A[M, K] . B[K, cols], with A read
// by broadcasts through two strides (which is how K, V, P and dS are used transposed without a copy).
#pragma once
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "attnscope/core/parallel.h"
#include "attnscope/kernels/attention/attention_common.h"

namespace attnscope::kernels::detail {
namespace {

constexpr float kNegInf = -__builtin_inff();
constexpr float kPosInf = __builtin_inff();

// ---------------------------------------------------------------------------------------------
// Register-tiled GEMM micro-kernel: C[R, NV*W] (+)= sum_k A[r*sr + k*sk] * B[k*ldb + (NV*W cols)].
// Ar ("arithmetic") supplies the element types and the multiply-add: f32 FMA, or bf16 pairs with
// vdpbf16ps (then k counts pairs and A/B elements are 32-bit pairs of bf16).
template <class Ar, int R, int NV>
void micro_kernel(int64_t K, const typename Ar::A_t* A, int64_t sr, int64_t sk,
                  const typename Ar::B_t* B, int64_t ldb, float* C, int64_t ldc, bool accumulate) {
  using V = typename Ar::V;
  constexpr int W = V::W;
  typename V::F c[R][NV];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) c[r][v] = accumulate ? V::load(C + r * ldc + v * W) : V::zero();
  for (int64_t k = 0; k < K; ++k) {
    typename Ar::BV b[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) b[v] = Ar::load_b(B + k * ldb + v * W);
    const typename Ar::A_t* a = A + k * sk;
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const typename Ar::AV ar = Ar::bcast_a(a + r * sr);
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) c[r][v] = Ar::madd(c[r][v], ar, b[v]);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) V::store(C + r * ldc + v * W, c[r][v]);
}

template <class Ar>
struct TileGemm {
  using A_t = typename Ar::A_t;
  using B_t = typename Ar::B_t;
  static constexpr int W = Ar::V::W;
  static constexpr int kMaxR = Ar::kMaxR, kMaxNV = Ar::kMaxNV;
  using Fn = void (*)(int64_t, const A_t*, int64_t, int64_t, const B_t*, int64_t, float*, int64_t, bool);
  template <int... I>
  static constexpr std::array<Fn, sizeof...(I)> make(std::integer_sequence<int, I...>) {
    return {&micro_kernel<Ar, I / kMaxNV + 1, I % kMaxNV + 1>...};
  }
  static constexpr std::array<Fn, kMaxR * kMaxNV> kTable =
      make(std::make_integer_sequence<int, kMaxR * kMaxNV>{});

  // C [M, cols] (+)= A [M, K] . B [K, cols]; cols a multiple of W. Columns are cut into nearly
  // equal chunks of <= kMaxNV vectors, rows into blocks that keep R*NV <= kAcc accumulators.
  static void run(int64_t M, int64_t cols, int64_t K, const A_t* A, int64_t sr, int64_t sk,
                  const B_t* B, int64_t ldb, float* C, int64_t ldc, bool accumulate) {
    const int64_t nvec = cols / W;
    const int64_t nchunks = (nvec + kMaxNV - 1) / kMaxNV;
    int64_t v0 = 0;
    for (int64_t ch = 0; ch < nchunks; ++ch) {
      const int nv = static_cast<int>((nvec - v0 + (nchunks - ch) - 1) / (nchunks - ch));
      const int rcap = std::min(kMaxR, Ar::kAcc / nv);
      for (int64_t m0 = 0; m0 < M; m0 += rcap) {
        const int r = static_cast<int>(std::min<int64_t>(rcap, M - m0));
        kTable[(r - 1) * kMaxNV + nv - 1](K, A + m0 * sr, sr, sk, B + v0 * W, ldb,
                                          C + m0 * ldc + v0 * W, ldc, accumulate);
      }
      v0 += nv;
    }
  }
};

// f32 multiply-add over the ISA's vector type.
template <class V_, int MaxR, int MaxNV, int Acc>
struct ArF32 {
  using V = V_;
  using A_t = float;
  using B_t = float;
  using AV = typename V::F;
  using BV = typename V::F;
  static constexpr int kMaxR = MaxR, kMaxNV = MaxNV, kAcc = Acc;
  static AV bcast_a(const float* a) { return V::set1(*a); }
  static BV load_b(const float* b) { return V::load(b); }
  static typename V::F madd(typename V::F c, AV a, BV b) { return V::fma(a, b, c); }
};

// Aligned scratch owned by one thread for one call (kernels never throw; allocation may).
struct Scratch {
  float* data = nullptr;
  explicit Scratch(size_t floats) {
    const size_t bytes = ((floats * sizeof(float) + 63) / 64 + 1) * 64;
    data = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (!data) throw std::bad_alloc();
  }
  ~Scratch() { std::free(data); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
};

inline int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

// ---------------------------------------------------------------------------------------------
// The kernel, over an ISA description `I`:
//   I::V        vector type (W lanes of f32) with load/store/set1/fma/max/exp/select/compare
//   I::Ar       f32 arithmetic for TileGemm;  I::kBr, I::kBc tile sizes
//   I::kBf16    true when bf16 storage uses the bf16 dot-product path (I::ArBf16, I::pack_pairs)
template <class I>
struct Flash {
  using V = typename I::V;
  using F = typename V::F;
  static constexpr int W = V::W;
  static constexpr int Br = I::kBr;   // queries per tile (multiple of W)
  static constexpr int Bc = I::kBc;   // keys per tile (even)
  static_assert(Br % W == 0 && Bc % 2 == 0);
  using G32 = TileGemm<typename I::Ar>;

  struct Geometry {
    int64_t D;      // HS padded to W (and even)
    int64_t Np;     // N padded to Bc
    int64_t Tp;     // T padded to Br
    bool bf16dot;   // bf16 storage on the bf16 dot-product path
    float scale;
  };
  static Geometry geometry(const AttentionParams& p) {
    return {round_up(p.HS, W), round_up(std::max<int64_t>(p.N, 1), Bc), round_up(p.T, Br),
            I::kBf16 && p.dtype == StorageType::bf16, resolved_scale(p)};
  }

  // Per-query state of one query tile, all [Br].
  struct Rows {
    float *m, *l, *ent, *amax_i, *alpha, *lo, *hi, *pos, *lse, *thr;
    int64_t maxlo, minhi, union_lo, union_hi;  // over valid rows
  };

  // ---- scores: scale / ALiBi / user bias / index mask on a tile S [Bc, Br] -----------------
  static void fixup_scores(const AttentionParams& p, int64_t b, int64_t h, int64_t i0, int64_t j0,
                           int64_t nj, float* S, float scale, const Rows& q) {
    const F vscale = V::set1(scale), vslope = V::set1(p.alibi_slopes ? p.alibi_slopes[h] : 0.0f);
    const F ninf = V::set1(kNegInf);
    for (int64_t j = 0; j < nj; ++j) {
      const F jf = V::set1(static_cast<float>(j0 + j));
      for (int v = 0; v < Br / W; ++v) {
        F s = V::mul(V::load(S + j * Br + v * W), vscale);
        if (p.alibi_slopes) s = V::sub(s, V::mul(vslope, V::abs(V::sub(V::load(q.pos + v * W), jf))));
        const auto vis = V::band(V::le(V::load(q.lo + v * W), jf), V::lt(jf, V::load(q.hi + v * W)));
        V::store(S + j * Br + v * W, V::select(vis, s, ninf));
      }
    }
    if (p.bias) {
      const int64_t valid = std::min<int64_t>(Br, p.T - i0), jn = std::min<int64_t>(nj, p.N - j0);
      for (int64_t ii = 0; ii < valid; ++ii) {
        const float* brow = bias_row(p, b, h, i0 + ii) + j0;
        for (int64_t j = 0; j < jn; ++j) S[j * Br + ii] += brow[j];
      }
    }
  }

  // ---- top-k, vectorized across queries -------------------------------------------------------
  // Each lane (query) of a vector column keeps its k best scores sorted in k vectors ts[p][W]
  // (and their keys, as exact floats, in ti[p][W]). A key whose score beats some lane's k-th best
  // is merged into all lanes at once by a branch-free insertion network:
  //   ts[p] = sc > ts[p-1] ? ts[p-1] : (sc > ts[p] ? sc : ts[p])      (p = k-1 .. 1)
  // Lanes it does not beat are left unchanged, and equal scores keep the earlier (lower) key
  // first, as the reference does. (A per-lane scalar insertion cost ~110 cycles per insert and
  // 30% of the forward at N = 2048, k = 8; see docs/KERNELS.md.)
  __attribute__((noinline)) static void topk_scan(const float* col, int64_t nj, float sv, int64_t j0,
                                                  float* ts, float* ti, int k) {
    const F vsv = V::set1(sv);
    float* last = ts + (k - 1) * W;
    F vthr = V::load(last);
    for (int64_t j = 0; j < nj; ++j) {
      const F sc = V::mul(V::load(col + j * Br), vsv);
      if (!V::any(V::gt(sc, vthr))) continue;
      const F jf = V::set1(static_cast<float>(j0 + j));
      for (int p = k - 1; p > 0; --p) {
        const F prev = V::load(ts + (p - 1) * W), cur = V::load(ts + p * W);
        const auto above_prev = V::gt(sc, prev), above_cur = V::gt(sc, cur);
        V::store(ts + p * W, V::select(above_prev, prev, V::select(above_cur, sc, cur)));
        const F pi = V::load(ti + (p - 1) * W), ci = V::load(ti + p * W);
        V::store(ti + p * W, V::select(above_prev, pi, V::select(above_cur, jf, ci)));
      }
      const F top = V::load(ts);
      const auto above = V::gt(sc, top);
      V::store(ts, V::select(above, sc, top));
      V::store(ti, V::select(above, jf, V::load(ti)));
      vthr = V::load(last);
    }
  }

  // ---- online softmax over one key tile (FlashAttention-2, Alg. 1 lines 8-10) ----------------
  // S [Bc, Br] holds s * (sv == 1 ? 1 : 1/sv) (sv: scale not yet applied). Writes P = exp(s - m_new)
  // in place (f32) or as bf16 row pairs into P2 [Bc/2, Br], and alpha = exp(m_old - m_new).
  // Instantiated per capture mode so the none/stats loops carry no mode tests.
  template <CaptureMode Mode>
  static void softmax_tile(float* S, uint32_t* P2, float sv, int64_t j0, int64_t nj, Rows& q, int k,
                           float* tk_s, float* tk_i) {
    constexpr bool stats = Mode == CaptureMode::stats, topk = Mode == CaptureMode::topk;
    const F vsv = V::set1(sv), ninf = V::set1(kNegInf), zero = V::zero();
    for (int v = 0; v < Br / W; ++v) {
      float* col = S + v * W;
      const F mo = V::load(q.m + v * W);
      F tmax = ninf, targ = zero;
      for (int64_t j = 0; j < nj; ++j) {
        const F s = V::load(col + j * Br);
        if constexpr (stats) targ = V::select(V::gt(s, tmax), V::set1(static_cast<float>(j)), targ);
        tmax = V::max(tmax, s);
      }
      if constexpr (topk) topk_scan(col, nj, sv, j0, tk_s + v * W * k, tk_i + v * W * k, k);
      const F tm = V::mul(tmax, vsv);
      if constexpr (stats) {
        const F ai = V::load(q.amax_i + v * W);
        V::store(q.amax_i + v * W, V::select(V::gt(tm, mo), V::add(targ, V::set1(static_cast<float>(j0))), ai));
      }
      const F mn = V::max(mo, tm);
      const F ms = V::select(V::eq(mn, ninf), zero, mn);  // a column with no key yet: keep exp finite
      const F alpha = V::exp(V::sub(mo, ms));
      const F nms = V::sub(zero, ms);
      F sum = zero, eacc = zero;
      const F ufloor = V::set1(-1e30f);  // u = -inf for masked keys; p*u must stay 0, not NaN
      if (P2) {
        for (int64_t j = 0; j < nj; j += 2) {
          const F u0 = V::fma(V::load(col + j * Br), vsv, nms);
          const F u1 = V::fma(V::load(col + (j + 1) * Br), vsv, nms);
          const F p0 = V::exp(u0), p1 = V::exp(u1);
          if constexpr (I::kBf16) I::pack_pairs(p0, p1, P2 + (j / 2) * Br + v * W);
          sum = V::add(sum, V::add(p0, p1));
          if constexpr (stats) {
            eacc = V::fma(p0, V::max(u0, ufloor), eacc);
            eacc = V::fma(p1, V::max(u1, ufloor), eacc);
          }
        }
      } else {
        for (int64_t j = 0; j < nj; ++j) {
          const F u = V::fma(V::load(col + j * Br), vsv, nms);
          const F pe = V::exp(u);
          V::store(col + j * Br, pe);
          sum = V::add(sum, pe);
          if constexpr (stats) eacc = V::fma(pe, V::max(u, ufloor), eacc);
        }
      }
      const F lo = V::load(q.l + v * W);
      if constexpr (stats) {
        // A = sum_j e^{u_j} u_j with u = s - m; when m grows by delta: A' = alpha (A - delta l).
        const F a = V::load(q.ent + v * W);
        const F kept = V::mul(alpha, V::sub(a, V::mul(V::sub(ms, mo), lo)));
        V::store(q.ent + v * W, V::add(V::select(V::gt(lo, zero), kept, zero), eacc));
      }
      V::store(q.l + v * W, V::fma(lo, alpha, sum));
      V::store(q.m + v * W, mn);
      V::store(q.alpha + v * W, alpha);
    }
  }

  // ---- packing -------------------------------------------------------------------------------
  // Kp, Vp [Np, D] f32; or on the bf16 path Kp as bf16 [Np, D] (pairs along HS) and Vp as bf16
  // key pairs [Np/2, D, 2] (the PV product multiplies pairs of keys).
  static void pack_kv(const AttentionParams& p, const Geometry& g, int64_t b, int64_t hk, float* Kp,
                      float* Vp) {
    const int64_t ko = k_offset(p, b, hk), vo = v_offset(p, b, hk);
    if (g.bf16dot) {
      const uint16_t* k = static_cast<const uint16_t*>(p.k);
      const uint16_t* vv = static_cast<const uint16_t*>(p.v);
      uint16_t* kp = reinterpret_cast<uint16_t*>(Kp);
      uint16_t* vp = reinterpret_cast<uint16_t*>(Vp);
      for (int64_t j = 0; j < g.Np; ++j)
        for (int64_t c = 0; c < g.D; ++c)
          kp[j * g.D + c] = (j < p.N && c < p.HS) ? k[ko + j * p.k_row_stride + c] : 0;
      for (int64_t j = 0; j < g.Np; ++j)
        for (int64_t c = 0; c < g.D; ++c)
          vp[(j / 2) * 2 * g.D + c * 2 + (j & 1)] = (j < p.N && c < p.HS) ? vv[vo + j * p.v_row_stride + c] : 0;
      return;
    }
    for (int64_t j = 0; j < g.Np; ++j) {
      float* kr = Kp + j * g.D;
      float* vr = Vp + j * g.D;
      if (j < p.N) {
        load_row(p.k, p.dtype, ko + j * p.k_row_stride, p.HS, kr);
        load_row(p.v, p.dtype, vo + j * p.v_row_stride, p.HS, vr);
        std::fill(kr + p.HS, kr + g.D, 0.0f);
        std::fill(vr + p.HS, vr + g.D, 0.0f);
      } else {
        std::fill(kr, kr + g.D, 0.0f);
        std::fill(vr, vr + g.D, 0.0f);
      }
    }
  }

  // Qt [D, Br] = scale * Q[i0:i0+Br]^T (f32), or bf16 HS-pairs [D/2, Br] unscaled.
  static void pack_qt(const AttentionParams& p, const Geometry& g, int64_t b, int64_t h, int64_t i0,
                      float* Qt, float* row) {
    const int64_t qo = q_offset(p, b, h);
    const int64_t valid = std::min<int64_t>(Br, p.T - i0);
    if (g.bf16dot) {
      const uint16_t* qq = static_cast<const uint16_t*>(p.q);
      uint32_t* qt = reinterpret_cast<uint32_t*>(Qt);
      for (int64_t ii = 0; ii < Br; ++ii)
        for (int64_t cp = 0; cp < g.D / 2; ++cp) {
          uint32_t lo = 0, hi = 0;
          if (ii < valid) {
            const uint16_t* r = qq + qo + (i0 + ii) * p.q_row_stride;
            if (2 * cp < p.HS) lo = r[2 * cp];
            if (2 * cp + 1 < p.HS) hi = r[2 * cp + 1];
          }
          qt[cp * Br + ii] = lo | hi << 16;
        }
      return;
    }
    for (int64_t ii = 0; ii < Br; ++ii) {
      if (ii < valid) {
        load_row(p.q, p.dtype, qo + (i0 + ii) * p.q_row_stride, p.HS, row);
        for (int64_t c = 0; c < g.D; ++c) Qt[c * Br + ii] = c < p.HS ? row[c] * g.scale : 0.0f;
      } else {
        for (int64_t c = 0; c < g.D; ++c) Qt[c * Br + ii] = 0.0f;
      }
    }
  }

  // Key ranges of the query tile's rows (as floats for vector compares) and their envelope.
  static void row_ranges(const AttentionParams& p, int64_t b, int64_t i0, Rows& q) {
    const int64_t valid = std::min<int64_t>(Br, p.T - i0);
    q.maxlo = 0;
    q.minhi = p.N;
    q.union_lo = p.N;
    q.union_hi = 0;
    for (int64_t ii = 0; ii < Br; ++ii) {
      KeyRange r{0, 0};
      if (ii < valid) r = visible_keys(p, b, i0 + ii);
      q.lo[ii] = static_cast<float>(r.lo);
      q.hi[ii] = static_cast<float>(r.hi);
      q.pos[ii] = static_cast<float>(i0 + ii + p.N - p.T);
      if (ii >= valid) continue;
      q.maxlo = std::max(q.maxlo, r.lo);
      q.minhi = std::min(q.minhi, r.hi);
      if (r.lo < r.hi) {
        q.union_lo = std::min(q.union_lo, r.lo);
        q.union_hi = std::max(q.union_hi, r.hi);
      }
    }
  }

  // S [Bc, Br] for key tile j0, with scale/bias/mask applied when needed. Returns the factor
  // still to apply to S (1, or the scale on the bf16 path when no fixup ran).
  static float scores(const AttentionParams& p, const Geometry& g, int64_t b, int64_t h, int64_t i0,
                      int64_t j0, int64_t nj, const float* Kp, const float* Qt, float* S, const Rows& q) {
    if constexpr (I::kBf16) {
      if (g.bf16dot) {
        TileGemm<typename I::ArBf16>::run(nj, Br, g.D / 2, reinterpret_cast<const uint32_t*>(Kp) + j0 * (g.D / 2),
                                          g.D / 2, 1, reinterpret_cast<const uint32_t*>(Qt), Br, S, Br, false);
      }
    }
    if (!g.bf16dot) G32::run(nj, Br, g.D, Kp + j0 * g.D, g.D, 1, Qt, Br, S, Br, false);
    const float pending = g.bf16dot ? g.scale : 1.0f;
    const bool full = q.maxlo <= j0 && j0 + nj <= q.minhi;
    if (full && !p.bias && !p.alibi_slopes) return pending;
    fixup_scores(p, b, h, i0, j0, nj, S, pending, q);
    return 1.0f;
  }

  static size_t forward_floats(const AttentionParams& p, int k) {
    const Geometry g = geometry(p);
    return static_cast<size_t>(2 * g.Np * g.D + 2 * g.D * Br + Bc * Br + Bc * Br / 2 + g.D + 12 * Br +
                               2 * Br * k) + 64;
  }

  static void forward_tile(const AttentionParams& p, const AttentionCapture& c, const Geometry& g,
                           int64_t b, int64_t h, int64_t i0, const float* Kp, const float* Vp,
                           float* ws) {
    const int k = c.mode == CaptureMode::topk ? c.k : 0;
    float* Qt = ws;                 // [D, Br]
    float* OT = Qt + g.D * Br;      // [D, Br]
    float* S = OT + g.D * Br;       // [Bc, Br]
    uint32_t* P2 = reinterpret_cast<uint32_t*>(S + Bc * Br);  // [Bc/2, Br] bf16 pairs
    float* row = S + Bc * Br + Bc * Br / 2;                    // [D]
    Rows q;
    float* r = row + g.D;
    for (float** f : {&q.m, &q.l, &q.ent, &q.amax_i, &q.alpha, &q.lo, &q.hi, &q.pos, &q.lse, &q.thr}) {
      *f = r;
      r += Br;
    }
    float* tk_s = r;               // [Br/W, k, W] best scores per query, sorted (see topk_scan)
    float* tk_i = tk_s + Br * k;   // [Br/W, k, W] their keys

    pack_qt(p, g, b, h, i0, Qt, row);
    row_ranges(p, b, i0, q);
    std::fill(OT, OT + g.D * Br, 0.0f);
    for (int64_t ii = 0; ii < Br; ++ii) {
      q.m[ii] = kNegInf;
      q.l[ii] = q.ent[ii] = 0.0f;
      q.amax_i[ii] = -1.0f;
      q.thr[ii] = kNegInf;
    }
    for (int64_t t = 0; t < Br * k; ++t) {
      tk_s[t] = kNegInf;
      tk_i[t] = -1.0f;
    }
    // Key tiles start at the first visible key (even, for bf16 pairs) and the last one is cut at
    // the last visible key, so causal and window masks waste at most one key per tile edge.
    for (int64_t j0 = q.union_lo & ~int64_t{1}; j0 < q.union_hi; j0 += Bc) {
      const int64_t nj = std::min<int64_t>(Bc, round_up(q.union_hi - j0, 2));
      const float sv = scores(p, g, b, h, i0, j0, nj, Kp, Qt, S, q);
      uint32_t* p2 = g.bf16dot ? P2 : nullptr;
      switch (c.mode) {
        case CaptureMode::stats: softmax_tile<CaptureMode::stats>(S, p2, sv, j0, nj, q, k, tk_s, tk_i); break;
        case CaptureMode::topk: softmax_tile<CaptureMode::topk>(S, p2, sv, j0, nj, q, k, tk_s, tk_i); break;
        default: softmax_tile<CaptureMode::none>(S, p2, sv, j0, nj, q, k, tk_s, tk_i); break;
      }
      for (int64_t cc = 0; cc < g.D; ++cc)
        for (int v = 0; v < Br / W; ++v)
          V::store(OT + cc * Br + v * W, V::mul(V::load(OT + cc * Br + v * W), V::load(q.alpha + v * W)));
      // OT [D, Br] += Vp[j0:j0+Bc]^T [D, Bc] . P [Bc, Br]
      if constexpr (I::kBf16) {
        if (g.bf16dot) {
          TileGemm<typename I::ArBf16>::run(g.D, Br, nj / 2, reinterpret_cast<const uint32_t*>(Vp) + (j0 / 2) * g.D,
                                            1, g.D, P2, Br, OT, Br, true);
        }
      }
      if (!g.bf16dot) G32::run(g.D, Br, nj, Vp + j0 * g.D, 1, g.D, S, Br, OT, Br, true);
    }
    // O = OT^T / l; lse = m + log l; capture outputs.
    const int64_t valid = std::min<int64_t>(Br, p.T - i0);
    float* o = p.o + o_offset(p, b, h);
    const int64_t row0 = (b * p.NH + h) * p.T + i0;
    for (int64_t ii = 0; ii < valid; ++ii) {
      const bool empty = q.l[ii] <= 0.0f;
      const float inv = empty ? 0.0f : 1.0f / q.l[ii];
      float* orow = o + (i0 + ii) * p.o_row_stride;
      for (int64_t cc = 0; cc < p.HS; ++cc) orow[cc] = OT[cc * Br + ii] * inv;
      q.lse[ii] = empty ? kNegInf : q.m[ii] + std::log(q.l[ii]);
      if (p.lse) p.lse[row0 + ii] = q.lse[ii];
      if (c.mode == CaptureMode::stats) {
        if (c.lse) c.lse[row0 + ii] = q.lse[ii];
        if (c.entropy) c.entropy[row0 + ii] = empty ? 0.0f : std::max(0.0f, std::log(q.l[ii]) - q.ent[ii] * inv);
        if (c.max_weight) c.max_weight[row0 + ii] = inv;
        if (c.argmax) c.argmax[row0 + ii] = empty ? -1 : static_cast<int32_t>(q.amax_i[ii]);
      } else if (c.mode == CaptureMode::topk) {
        const int64_t base = (ii / W) * k * W + ii % W;  // lane ii % W of vector column ii / W
        for (int s = 0; s < k; ++s) {
          const int32_t j = static_cast<int32_t>(tk_i[base + s * W]);
          if (c.topk_index) c.topk_index[(row0 + ii) * k + s] = j;
          if (c.topk_weight)
            c.topk_weight[(row0 + ii) * k + s] = j < 0 ? 0.0f : std::exp(tk_s[base + s * W] - q.lse[ii]);
        }
      }
    }
    if (c.mode == CaptureMode::dense) dense_tile(p, c, g, b, h, i0, Kp, Qt, S, q);
  }

  // Dense capture: a second sweep recomputes each score tile and writes exp(s - lse) into the
  // caller's [T, N] rows (the only place an N-sized row of probabilities exists).
  static void dense_tile(const AttentionParams& p, const AttentionCapture& c, const Geometry& g,
                         int64_t b, int64_t h, int64_t i0, const float* Kp, const float* Qt, float* S,
                         Rows& q) {
    const int64_t valid = std::min<int64_t>(Br, p.T - i0);
    const int64_t row0 = (b * p.NH + h) * p.T + i0;
    const bool f16 = c.dense_type == DenseType::f16;
    for (int64_t ii = 0; ii < valid; ++ii) {
      if (f16) {
        uint16_t* d = static_cast<uint16_t*>(c.dense) + (row0 + ii) * p.N;
        std::fill(d, d + p.N, uint16_t{0});
      } else {
        float* d = static_cast<float*>(c.dense) + (row0 + ii) * p.N;
        std::fill(d, d + p.N, 0.0f);
      }
    }
    for (int64_t ii = 0; ii < Br; ++ii) q.thr[ii] = q.lse[ii] == kNegInf || ii >= valid ? kPosInf : q.lse[ii];
    for (int64_t j0 = q.union_lo & ~int64_t{1}; j0 < q.union_hi; j0 += Bc) {
      const int64_t nj = std::min<int64_t>(Bc, round_up(q.union_hi - j0, 2));
      const F vsv = V::set1(scores(p, g, b, h, i0, j0, nj, Kp, Qt, S, q));
      for (int64_t j = 0; j < nj; ++j)
        for (int v = 0; v < Br / W; ++v) {
          const F s = V::load(S + j * Br + v * W);
          V::store(S + j * Br + v * W, V::exp(V::sub(V::mul(s, vsv), V::load(q.thr + v * W))));
        }
      const int64_t jn = std::min<int64_t>(nj, p.N - j0);
      for (int64_t ii = 0; ii < valid; ++ii) {
        if (f16) {
          uint16_t* d = static_cast<uint16_t*>(c.dense) + (row0 + ii) * p.N + j0;
          for (int64_t j = 0; j < jn; ++j) d[j] = I::to_half(S[j * Br + ii]);
        } else {
          float* d = static_cast<float*>(c.dense) + (row0 + ii) * p.N + j0;
          for (int64_t j = 0; j < jn; ++j) d[j] = S[j * Br + ii];
        }
      }
    }
  }

  static void forward(const AttentionParams& p, const AttentionCapture& c) {
    const Geometry g = geometry(p);
    const int64_t nqt = (p.T + Br - 1) / Br;
    const int k = c.mode == CaptureMode::topk ? c.k : 0;
    const size_t floats = forward_floats(p, k);
    parallel_for(0, p.B * p.NH * nqt, 1, [&](int64_t lo, int64_t hi) {
      Scratch ws(floats);
      float* Kp = ws.data;                   // [Np, D]
      float* Vp = Kp + g.Np * g.D;           // [Np, D]
      float* tile = Vp + g.Np * g.D;
      int64_t cached = -1;
      for (int64_t item = lo; item < hi; ++item) {
        const int64_t b = item / (p.NH * nqt), h = item / nqt % p.NH, qt = item % nqt;
        if (p.head_skip && p.head_skip[h]) continue;
        const int64_t hk = kv_head(p, h);
        if (cached != b * p.NKV + hk) {
          pack_kv(p, g, b, hk, Kp, Vp);
          cached = b * p.NKV + hk;
        }
        forward_tile(p, c, g, b, h, qt * Br, Kp, Vp, tile);
      }
    });
  }

  // ---- backward (FlashAttention-2, Alg. 2): key tiles outer, query tiles inner ---------------
  // Per thread and query head, the query side is packed once: Qt [D, Tp] (scaled), Qr [Tp, D],
  // dOr [Tp, D], dOt [D, Tp], lse [Tp], Dd [Tp] = rowsum(dO * O). Per key tile: Kt, Vt [Bc, D],
  // dK, dV accumulators [Bc, D]; per (key, query) tile: S -> P [Bc, Br], dP -> dS [Bc, Br].
  // dQ partials go to the thread's own [B, NH, Tp, D] buffer, summed at the end in thread order.
  static size_t backward_floats(const AttentionParams& p) {
    const Geometry g = geometry(p);
    return static_cast<size_t>(4 * g.Tp * g.D + 2 * g.Tp + 4 * Bc * g.D + 2 * Bc * Br + g.D + 12 * Br) + 64;
  }

  static void pack_query_side(const AttentionBackwardParams& p, const Geometry& g, int64_t b, int64_t h,
                              float* Qt, float* Qr, float* dOr, float* dOt, float* lse, float* Dd) {
    const int64_t qo = q_offset(p, b, h), oo = o_offset(p, b, h);
    const int64_t go = b * p.dout_batch_stride + h * p.dout_head_stride;
    for (int64_t i = 0; i < g.Tp; ++i) {
      float* qr = Qr + i * g.D;
      float* dr = dOr + i * g.D;
      if (i < p.T) {
        load_row(p.q, p.dtype, qo + i * p.q_row_stride, p.HS, qr);
        const float* gd = p.dout + go + i * p.dout_row_stride;
        const float* orow = p.o + oo + i * p.o_row_stride;
        double d = 0;
        for (int64_t c = 0; c < p.HS; ++c) {
          dr[c] = gd[c];
          d += static_cast<double>(gd[c]) * orow[c];
        }
        std::fill(qr + p.HS, qr + g.D, 0.0f);
        std::fill(dr + p.HS, dr + g.D, 0.0f);
        const float l = p.lse[(b * p.NH + h) * p.T + i];
        lse[i] = l == kNegInf ? kPosInf : l;  // a row with no keys: every p = exp(-inf) = 0
        Dd[i] = static_cast<float>(d);
      } else {
        std::fill(qr, qr + g.D, 0.0f);
        std::fill(dr, dr + g.D, 0.0f);
        lse[i] = kPosInf;
        Dd[i] = 0.0f;
      }
      for (int64_t c = 0; c < g.D; ++c) {
        Qt[c * g.Tp + i] = qr[c] * g.scale;
        dOt[c * g.Tp + i] = dr[c];
      }
    }
  }

  static void backward(const AttentionBackwardParams& p) {
    Geometry g = geometry(p);
    g.bf16dot = false;  // the backward computes in f32 from converted packs
    const int64_t nkt = (p.N + Bc - 1) / Bc;
    const int64_t G = p.NH / p.NKV;
    const int64_t items = p.B * p.NKV * nkt;
    const int nthreads = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(num_threads(), items)));
    const int64_t dq_floats = p.B * p.NH * g.Tp * g.D;
    Scratch dq_parts(static_cast<size_t>(nthreads * dq_floats));
    std::fill(dq_parts.data, dq_parts.data + nthreads * dq_floats, 0.0f);
    const size_t floats = backward_floats(p);
    // Chunks are assigned as parallel_for does (thread t gets [n t / nt, n (t+1) / nt)); the
    // chunk index picks the dq partial, so the sum order below is fixed.
    parallel_for(0, nthreads, 1, [&](int64_t t_lo, int64_t t_hi) {
      for (int64_t t = t_lo; t < t_hi; ++t) {
        const int64_t lo = items * t / nthreads, hi = items * (t + 1) / nthreads;
        if (lo < hi) backward_items(p, g, G, nkt, lo, hi, floats, dq_parts.data + t * dq_floats);
      }
    });
    // dq += sum over threads of the partials.
    parallel_for(0, p.B * p.NH * p.T, 64, [&](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; ++r) {
        const int64_t b = r / (p.NH * p.T), h = r / p.T % p.NH, i = r % p.T;
        float* dq = p.dq + b * p.dq_batch_stride + h * p.dq_head_stride + i * p.dq_row_stride;
        const int64_t off = ((b * p.NH + h) * g.Tp + i) * g.D;
        for (int t = 0; t < nthreads; ++t) {
          const float* part = dq_parts.data + t * dq_floats + off;
          for (int64_t c = 0; c < p.HS; ++c) dq[c] += part[c];
        }
      }
    });
  }

  static void backward_items(const AttentionBackwardParams& p, const Geometry& g, int64_t G, int64_t nkt,
                             int64_t lo, int64_t hi, size_t floats, float* dq_part) {
    Scratch ws(floats);
    float* Qt = ws.data;                 // [D, Tp]
    float* Qr = Qt + g.D * g.Tp;         // [Tp, D]
    float* dOr = Qr + g.Tp * g.D;        // [Tp, D]
    float* dOt = dOr + g.Tp * g.D;       // [D, Tp]
    float* lse = dOt + g.D * g.Tp;       // [Tp]
    float* Dd = lse + g.Tp;              // [Tp]
    float* Kt = Dd + g.Tp;               // [Bc, D]
    float* Vt = Kt + Bc * g.D;           // [Bc, D]
    float* dK = Vt + Bc * g.D;           // [Bc, D]
    float* dV = dK + Bc * g.D;           // [Bc, D]
    float* S = dV + Bc * g.D;            // [Bc, Br]  scores -> P
    float* dP = S + Bc * Br;             // [Bc, Br]  dP -> dS
    float* rowbuf = dP + Bc * Br;        // [D]
    Rows q;
    float* r = rowbuf + g.D;
    for (float** f : {&q.m, &q.l, &q.ent, &q.amax_i, &q.alpha, &q.lo, &q.hi, &q.pos, &q.lse, &q.thr}) {
      *f = r;
      r += Br;
    }
    int64_t cached = -1;
    for (int64_t item = lo; item < hi; ++item) {
      const int64_t b = item / (p.NKV * nkt), hk = item / nkt % p.NKV, j0 = item % nkt * Bc;
      // K, V tile [Bc, D] in f32 (zero rows past N).
      for (int64_t j = 0; j < Bc; ++j) {
        float* kr = Kt + j * g.D;
        float* vr = Vt + j * g.D;
        std::fill(kr, kr + g.D, 0.0f);
        std::fill(vr, vr + g.D, 0.0f);
        if (j0 + j < p.N) {
          load_row(p.k, p.dtype, k_offset(p, b, hk) + (j0 + j) * p.k_row_stride, p.HS, kr);
          load_row(p.v, p.dtype, v_offset(p, b, hk) + (j0 + j) * p.v_row_stride, p.HS, vr);
        }
      }
      std::fill(dK, dK + Bc * g.D, 0.0f);
      std::fill(dV, dV + Bc * g.D, 0.0f);
      for (int64_t h = hk * G; h < (hk + 1) * G; ++h) {
        if (cached != b * p.NH + h) {
          pack_query_side(p, g, b, h, Qt, Qr, dOr, dOt, lse, Dd);
          cached = b * p.NH + h;
        }
        for (int64_t i0 = 0; i0 < p.T; i0 += Br) {
          row_ranges(p, b, i0, q);
          if (q.union_lo >= q.union_hi || q.union_hi <= j0 || q.union_lo >= j0 + Bc) continue;
          // S [Bc, Br] = Kt . Qt[:, i0:]   (scale folded into Qt), then bias / mask.
          G32::run(Bc, Br, g.D, Kt, g.D, 1, Qt + i0, g.Tp, S, Br, false);
          const bool full = q.maxlo <= j0 && j0 + Bc <= q.minhi;
          if (!full || p.bias || p.alibi_slopes) fixup_scores(p, b, h, i0, j0, Bc, S, 1.0f, q);
          // P = exp(S - lse)                                   (forward: P = softmax(S))
          for (int64_t j = 0; j < Bc; ++j)
            for (int v = 0; v < Br / W; ++v)
              V::store(S + j * Br + v * W,
                       V::exp(V::sub(V::load(S + j * Br + v * W), V::load(lse + i0 + v * W))));
          // dV [Bc, D] += P^T-rows . dO [Br, D]               (forward: O = P V)
          G32::run(Bc, g.D, Br, S, Br, 1, dOr + i0 * g.D, g.D, dV, g.D, true);
          // dP [Bc, Br] = Vt . dOt[:, i0:]
          G32::run(Bc, Br, g.D, Vt, g.D, 1, dOt + i0, g.Tp, dP, Br, false);
          // dS = P * (dP - Dd) * scale                          (softmax backward; S = scale Q K^T)
          const F vscale = V::set1(g.scale);
          for (int64_t j = 0; j < Bc; ++j)
            for (int v = 0; v < Br / W; ++v) {
              const F pv = V::load(S + j * Br + v * W);
              const F ds = V::mul(pv, V::sub(V::load(dP + j * Br + v * W), V::load(Dd + i0 + v * W)));
              V::store(dP + j * Br + v * W, V::mul(ds, vscale));
            }
          // dK [Bc, D] += dS . Q[i0:]           dQ[i0:] [Br, D] += dS^T . Kt
          G32::run(Bc, g.D, Br, dP, Br, 1, Qr + i0 * g.D, g.D, dK, g.D, true);
          G32::run(Br, g.D, Bc, dP, 1, Br, Kt, g.D, dq_part + ((b * p.NH + h) * g.Tp + i0) * g.D, g.D, true);
        }
      }
      const int64_t jn = std::min<int64_t>(Bc, p.N - j0);
      float* dk = p.dk + b * p.dk_batch_stride + hk * p.dk_head_stride;
      float* dv = p.dv + b * p.dv_batch_stride + hk * p.dv_head_stride;
      for (int64_t j = 0; j < jn; ++j)
        for (int64_t c = 0; c < p.HS; ++c) {
          dk[(j0 + j) * p.dk_row_stride + c] += dK[j * g.D + c];
          dv[(j0 + j) * p.dv_row_stride + c] += dV[j * g.D + c];
        }
    }
  }
};

}  // namespace
}  // namespace attnscope::kernels::detail
