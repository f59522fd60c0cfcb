// A cache of large 64-byte-aligned blocks for tensor storage. A training step frees and
// re-allocates the same activation-sized buffers every step; through plain aligned_alloc/free each
// one above glibc's mmap threshold is mapped, zero-filled page by page by the kernel and unmapped
// again (a quarter of a 64 px captioner step went to page faults). Freed blocks of at least
// kMinBytes are kept (up to kCapBytes in all) and handed back for a request of the same rounded
// size or up to 1/8 smaller. Thread-safe.
#pragma once
#include <cstddef>

namespace attnscope::block_cache {

inline constexpr size_t kMinBytes = size_t{256} << 10;
inline constexpr size_t kCapBytes = size_t{512} << 20;

// A block of at least `bytes` (rounded up to 4 KB when large), 64-byte aligned; throws bad_alloc.
void* allocate(size_t bytes);
// Returns a block from allocate() with the same `bytes`.
void release(void* p, size_t bytes) noexcept;
// Bytes currently held in the cache (for tests).
size_t cached_bytes() noexcept;
// Frees every cached block.
void trim() noexcept;

}  // namespace attnscope::block_cache
