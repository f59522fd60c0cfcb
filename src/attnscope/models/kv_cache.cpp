#include "attnscope/models/kv_cache.h"

#include <algorithm>
#include <cstring>

namespace attnscope::models {

void KvCache::reserve(int64_t n, int64_t used) {
  if (n <= capacity_) return;
  const int64_t cap = std::min(max_, std::max({n, 2 * capacity_, int64_t{64}}));
  for (std::vector<float>* buf : {&k_, &v_}) {
    std::vector<float> grown(static_cast<size_t>(layers_ * cap * width_));
    for (int64_t l = 0; l < layers_ && used > 0; ++l)
      std::memcpy(grown.data() + l * cap * width_, buf->data() + l * capacity_ * width_,
                  static_cast<size_t>(used * width_) * sizeof(float));
    buf->swap(grown);
  }
  capacity_ = cap;
}

void KvCache::evict(int64_t row, int64_t used) {
  for (std::vector<float>* buf : {&k_, &v_})
    for (int64_t l = 0; l < layers_; ++l) {
      float* base = buf->data() + l * capacity_ * width_;
      std::memmove(base + row * width_, base + (row + 1) * width_, static_cast<size_t>((used - row - 1) * width_) * sizeof(float));
    }
}

}  // namespace attnscope::models
