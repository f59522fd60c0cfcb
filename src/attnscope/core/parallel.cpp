#include "attnscope/core/parallel.h"

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>

namespace attnscope {
namespace {

int default_threads() {
  if (const char* env = std::getenv("ATTNSCOPE_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  int hw = static_cast<int>(std::thread::hardware_concurrency());
  return hw > 0 ? hw : 1;
}

int& thread_setting() {
  static int n = [] {
    int d = default_threads();
    omp_set_num_threads(d);
    return d;
  }();
  return n;
}

bool& explicit_setting() {
  static bool e = std::getenv("ATTNSCOPE_THREADS") != nullptr;
  return e;
}

}  // namespace

bool num_threads_explicit() { return explicit_setting(); }

void set_num_threads(int n) {
  explicit_setting() = n > 0 || std::getenv("ATTNSCOPE_THREADS") != nullptr;
  thread_setting() = n > 0 ? n : default_threads();
  omp_set_num_threads(thread_setting());
}

int num_threads() { return thread_setting(); }

bool in_parallel_region() { return omp_in_parallel() != 0; }

void parallel_for(int64_t begin, int64_t end, int64_t grain,
                  const std::function<void(int64_t, int64_t)>& fn) {
  const int64_t n = end - begin;
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  const int64_t max_chunks = (n + grain - 1) / grain;
  const int nt = static_cast<int>(std::min<int64_t>(num_threads(), max_chunks));
  if (nt <= 1 || omp_in_parallel()) {
    fn(begin, end);
    return;
  }
  std::exception_ptr error;
  std::mutex error_mutex;
#pragma omp parallel num_threads(nt)
  {
    const int64_t t = omp_get_thread_num();
    const int64_t lo = begin + n * t / nt, hi = begin + n * (t + 1) / nt;
    try {
      if (lo < hi) fn(lo, hi);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace attnscope
