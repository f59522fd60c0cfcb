// KvCache: the keys and values of every position a decoder has seen, per layer. It grows with
// the sequence (geometrically, up to the model's context), so a 4-token prompt to a model with
// a 32k context holds 4 rows, not 32k (a config's max_seq is a file's claim, not a need).
// Layout per layer: k, v [capacity, width] row-major; rows [0, used) are valid.
#pragma once
#include <cstdint>
#include <vector>

namespace attnscope::models {

class KvCache {
 public:
  void configure(int64_t layers, int64_t width, int64_t max_positions) {
    layers_ = layers;
    width_ = width;
    max_ = max_positions;
    capacity_ = 0;
    k_.clear();
    v_.clear();
  }
  // Room for positions [0, n) keeping rows [0, used); call before writing rows used..n-1.
  void reserve(int64_t n, int64_t used);
  // Drops row `row` of every layer, moving rows row+1..used-1 down one (StreamingLLM eviction).
  void evict(int64_t row, int64_t used);
  float* k(int64_t layer) { return k_.data() + layer * capacity_ * width_; }
  float* v(int64_t layer) { return v_.data() + layer * capacity_ * width_; }
  int64_t capacity() const { return capacity_; }

 private:
  int64_t layers_ = 0, width_ = 0, max_ = 0, capacity_ = 0;
  std::vector<float> k_, v_;
};

}  // namespace attnscope::models
