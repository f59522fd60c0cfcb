// The large-block cache behind tensor storage: a freed large block is reused for the next request
// of (about) its size, small blocks are not cached, and the cache never holds more than its cap.
#include "attnscope/tensor/block_cache.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

#include "attnscope/tensor/tensor.h"

namespace attnscope {
namespace {

#if !defined(__SANITIZE_ADDRESS__)
TEST(BlockCache, ReusesAFreedLargeBlockAndSkipsSmallOnes) {
  block_cache::trim();
  const size_t big = 3 << 20;
  void* a = block_cache::allocate(big);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 64, 0u);
  std::memset(a, 1, big);
  block_cache::release(a, big);
  EXPECT_EQ(block_cache::cached_bytes(), big);
  void* b = block_cache::allocate(big - 1000);  // same 4 KB-rounded size class or 1/8 smaller
  EXPECT_EQ(b, a);
  EXPECT_EQ(block_cache::cached_bytes(), 0u);
  void* c = block_cache::allocate(big / 2);  // would waste half a block: a fresh one
  EXPECT_NE(c, a);
  block_cache::release(b, big - 1000);
  block_cache::release(c, big / 2);
  void* small = block_cache::allocate(1000);
  block_cache::release(small, 1000);
  EXPECT_EQ(block_cache::cached_bytes(), (big - 1000 + 4095) / 4096 * 4096 + big / 2);
  block_cache::trim();
  EXPECT_EQ(block_cache::cached_bytes(), 0u);
}

TEST(BlockCache, HoldsAtMostItsCap) {
  block_cache::trim();
  const size_t quarter = block_cache::kCapBytes / 4;
  void* p[6];
  for (void*& q : p) q = block_cache::allocate(quarter);
  for (void* q : p) block_cache::release(q, quarter);
  EXPECT_EQ(block_cache::cached_bytes(), block_cache::kCapBytes);
  block_cache::trim();
}

TEST(BlockCache, TensorsReuseStorageAcrossSteps) {
  block_cache::trim();
  const void* first = nullptr;
  {
    Tensor t = Tensor::zeros(Shape{512, 1024});
    first = t.data<float>();
  }
  Tensor u = Tensor::zeros(Shape{512, 1024});
  EXPECT_EQ(u.data<float>(), first);
  for (float v : {u.at({0, 0}), u.at({511, 1023})}) EXPECT_EQ(v, 0.0f);  // zeros() still zeroes
}
#endif

}  // namespace
}  // namespace attnscope
