// Portable instantiation of the tiled attention (flash_tile.h): plain C++ "vectors" of 8 floats
// that the compiler may vectorize with the baseline ISA. Always built; the fallback on CPUs
// without AVX2 and a second implementation the tests cross-check.
#include "attnscope/kernels/attention/flash_tile.h"

namespace attnscope::kernels::detail {
namespace {

struct VScalar {
  static constexpr int W = 8;
  struct F { float x[W]; };
  struct M { bool x[W]; };
  template <class Op>
  static F map(F a, F b, Op op) {
    F r;
    for (int i = 0; i < W; ++i) r.x[i] = op(a.x[i], b.x[i]);
    return r;
  }
  template <class Op>
  static M cmp(F a, F b, Op op) {
    M r;
    for (int i = 0; i < W; ++i) r.x[i] = op(a.x[i], b.x[i]);
    return r;
  }
  static F zero() { return set1(0.0f); }
  static F set1(float v) {
    F r;
    for (float& e : r.x) e = v;
    return r;
  }
  static F load(const float* p) {
    F r;
    for (int i = 0; i < W; ++i) r.x[i] = p[i];
    return r;
  }
  static void store(float* p, F a) {
    for (int i = 0; i < W; ++i) p[i] = a.x[i];
  }
  static F add(F a, F b) { return map(a, b, [](float u, float v) { return u + v; }); }
  static F sub(F a, F b) { return map(a, b, [](float u, float v) { return u - v; }); }
  static F mul(F a, F b) { return map(a, b, [](float u, float v) { return u * v; }); }
  static F max(F a, F b) { return map(a, b, [](float u, float v) { return u > v ? u : v; }); }
  static F fma(F a, F b, F c) {
    F r;
    for (int i = 0; i < W; ++i) r.x[i] = a.x[i] * b.x[i] + c.x[i];
    return r;
  }
  static F abs(F a) { return map(a, a, [](float u, float) { return std::fabs(u); }); }
  static F exp(F a) { return map(a, a, [](float u, float) { return std::exp(u); }); }
  static M gt(F a, F b) { return cmp(a, b, [](float u, float v) { return u > v; }); }
  static M lt(F a, F b) { return cmp(a, b, [](float u, float v) { return u < v; }); }
  static M le(F a, F b) { return cmp(a, b, [](float u, float v) { return u <= v; }); }
  static M eq(F a, F b) { return cmp(a, b, [](float u, float v) { return u == v; }); }
  static M band(M a, M b) {
    for (int i = 0; i < W; ++i) a.x[i] = a.x[i] && b.x[i];
    return a;
  }
  static bool any(M m) {
    for (bool b : m.x)
      if (b) return true;
    return false;
  }
  static unsigned bits(M m) {
    unsigned r = 0;
    for (int i = 0; i < W; ++i) r |= static_cast<unsigned>(m.x[i]) << i;
    return r;
  }
  static F select(M m, F a, F b) {
    for (int i = 0; i < W; ++i) a.x[i] = m.x[i] ? a.x[i] : b.x[i];
    return a;
  }
};

struct IsaScalar {
  using V = VScalar;
  using Ar = ArF32<VScalar, 4, 2, 8>;
  static constexpr int kBr = 32, kBc = 32;
  static constexpr bool kBf16 = false;
  static uint16_t to_half(float x) { return f32_to_f16(x); }
};

}  // namespace

void flash_forward_scalar(const AttentionParams& p, const AttentionCapture& c) { Flash<IsaScalar>::forward(p, c); }
void flash_backward_scalar(const AttentionBackwardParams& p) { Flash<IsaScalar>::backward(p); }
size_t flash_workspace_floats_scalar(const AttentionParams& p, bool backward) {
  return backward ? Flash<IsaScalar>::backward_floats(p) : Flash<IsaScalar>::forward_floats(p, 0);
}

}  // namespace attnscope::kernels::detail
