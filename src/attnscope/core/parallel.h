// One thread pool for the whole process: OpenMP's. OpenBLAS is linked in its OpenMP build, so
// GEMM threads and ours are the same threads (two spinning pools on 2 cores were 10x slower).
// parallel_for hands contiguous row ranges to threads with a static schedule, so results are
// deterministic for a given thread count. Exceptions are captured and rethrown on the caller.
#pragma once
#include <cstdint>
#include <functional>

namespace attnscope {

// Thread count: set_num_threads(n) (n <= 0: default), else ATTNSCOPE_THREADS, else all cores.
void set_num_threads(int n);
int num_threads();
// True when the count was chosen by the user (set_num_threads(n > 0) or ATTNSCOPE_THREADS).
bool num_threads_explicit();
// True while inside a parallel_for body (nested calls then run serially).
bool in_parallel_region();

// Calls fn(lo, hi) on disjoint chunks covering [begin, end). Chunks hold at least `grain` items;
// one chunk per thread at most (static split), run inline when the range is small.
void parallel_for(int64_t begin, int64_t end, int64_t grain,
                  const std::function<void(int64_t lo, int64_t hi)>& fn);

}  // namespace attnscope
