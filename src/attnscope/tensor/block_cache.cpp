#include "attnscope/tensor/block_cache.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>

namespace attnscope::block_cache {
namespace {

// Under AddressSanitizer blocks go straight back to free(), so a use after free is still caught.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kCaching = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kCaching = false;
#else
constexpr bool kCaching = true;
#endif
#else
constexpr bool kCaching = true;
#endif

size_t rounded(size_t bytes) {
  if (bytes >= kMinBytes) return (bytes + 4095) / 4096 * 4096;
  const size_t r = (bytes + 63) / 64 * 64;
  return r == 0 ? 64 : r;
}

struct Cache {
  std::mutex mu;
  std::multimap<size_t, void*> free;  // rounded size -> block
  size_t held = 0;  // sum of the keys in `free`
};

Cache& cache() {
  static Cache* c = new Cache;  // never destroyed: tensors may be freed during static destruction
  return *c;
}

}  // namespace

void* allocate(size_t bytes) {
  const size_t n = rounded(bytes);
  if (kCaching && n >= kMinBytes) {
    Cache& c = cache();
    std::lock_guard lock(c.mu);
    // The smallest cached block that fits, if it wastes at most 1/8 of itself.
    auto it = c.free.lower_bound(n);
    if (it != c.free.end() && it->first - n <= it->first / 8) {
      void* p = it->second;
      c.held -= it->first;
      c.free.erase(it);
      return p;
    }
  }
  void* p = std::aligned_alloc(64, n);
  if (!p) throw std::bad_alloc();
  return p;
}

void release(void* p, size_t bytes) noexcept {
  if (!p) return;
  const size_t n = rounded(bytes);
  if (kCaching && n >= kMinBytes && n <= kCapBytes) {
    Cache& c = cache();
    std::lock_guard lock(c.mu);
    // Evict the largest blocks until this one fits (large ones are the likeliest to be odd sizes).
    while (c.held + n > kCapBytes && !c.free.empty()) {
      auto last = std::prev(c.free.end());
      std::free(last->second);
      c.held -= last->first;
      c.free.erase(last);
    }
    c.free.emplace(n, p);
    c.held += n;
    return;
  }
  std::free(p);
}

size_t cached_bytes() noexcept {
  Cache& c = cache();
  std::lock_guard lock(c.mu);
  return c.held;
}

void trim() noexcept {
  Cache& c = cache();
  std::lock_guard lock(c.mu);
  for (auto& [n, p] : c.free) std::free(p);
  c.free.clear();
  c.held = 0;
}

}  // namespace attnscope::block_cache
