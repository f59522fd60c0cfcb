// What conv2d.cpp (im2col + GEMM) and conv2d_winograd.cpp share: the geometry of one call and
// the split of the batch into shares of whole images, one per thread.
// Threads take whole images when there are at least as many images as threads: each runs its
// share with its own buffers and single-threaded GEMMs (OpenBLAS runs serially inside a parallel
// region) and sums dW into its own copy, added up in share order (deterministic for a thread
// count). Threading inside each GEMM instead scaled a 64 px captioner step 1.1x from one thread
// to two: these GEMMs are small (M = Cout = 32..64) and synchronise per call. With fewer images
// than threads (one photo) the work runs in turn, the per-plane loops split over threads.
#pragma once
#include <cstdint>

#include "attnscope/core/parallel.h"

namespace attnscope::ops::conv {

struct ConvGeom {
  int64_t B, Cin, H, W, Cout, KH, KW, Ho, Wo, stride, pad;
  int64_t ckk() const { return Cin * KH * KW; }
  int64_t howo() const { return Ho * Wo; }
};

// How many shares of whole images the batch is split into: one per thread, or 1 (see the top).
inline int64_t image_shares(int64_t B) {
  const int nt = num_threads();
  return nt > 1 && B >= nt && !in_parallel_region() ? nt : 1;
}

// fn(b_begin, b_end, share) for each share of the batch, the shares on their own threads.
template <class F>
void for_image_shares(int64_t B, int64_t shares, F&& fn) {
  if (shares == 1) return fn(int64_t{0}, B, int64_t{0});
  parallel_for(0, shares, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t s = lo; s < hi; ++s) fn(B * s / shares, B * (s + 1) / shares, s);
  });
}

}  // namespace attnscope::ops::conv
