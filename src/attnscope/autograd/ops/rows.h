// Internal: runs a row kernel (kernels/rows.h) over the rows of a contiguous last-dim layout,
// split over threads. The grain keeps about 16K elements per chunk so tiny rows batch up.
#pragma once
#include <algorithm>

#include "attnscope/core/parallel.h"
#include "attnscope/kernels/rows.h"

namespace attnscope::ops::detail {

template <class F>
void for_rows(int64_t rows, int64_t n, F&& f) {
  parallel_for(0, rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(n, 1)),
               [&](int64_t lo, int64_t hi) {
                 for (int64_t r = lo; r < hi; ++r) f(r);
               });
}

// Fixed blocks over rows for reductions into per-block partials (deterministic for a given
// thread count): row_blocks picks the count, for_blocks calls f(block, lo, hi) for each.
inline int64_t row_blocks(int64_t rows, int64_t min_rows) {
  return std::max<int64_t>(1, std::min<int64_t>(num_threads(), rows / std::max<int64_t>(min_rows, 1)));
}
template <class F>
void for_blocks(int64_t rows, int64_t blocks, F&& f) {
  parallel_for(0, blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) f(b, rows * b / blocks, rows * (b + 1) / blocks);
  });
}

}  // namespace attnscope::ops::detail
