// AttentionCapture: keeps what the user asked for (--capture dense | topk:K | stats) of every
// attention probability an imported model computes, and turns it into an io::Trace.
// Calls for one layer may come in blocks of query rows (a prompt, then one row per generated
// token); rows land at their query positions, so step-by-step decoding gives the same trace
// as one full forward. Row statistics (entropy, max weight, argmax, lse) are kept in every mode.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "attnscope/io/trace.h"

namespace attnscope::models {

struct CaptureSpec {
  io::TraceKeep mode = io::TraceKeep::dense;
  int64_t k = 0;  // topk only
  // "dense", "stats" or "topk:K"; ConfigError otherwise.
  static CaptureSpec parse(const std::string& text);
};

class AttentionCapture {
 public:
  explicit AttentionCapture(CaptureSpec spec = {}) : spec_(spec) {}
  const CaptureSpec& spec() const { return spec_; }

  // One attention call of site `name` (layer index `layer` orders the sites):
  //   probs [NH, T, N]: rows for queries at positions q0..q0+T-1 over keys 0..N-1 (masked = 0)
  //   lse   [NH, T]   : log-sum-exp of each row's scaled scores (natural log)
  void add(int64_t layer, const std::string& name, int64_t NH, int64_t T, int64_t N, int64_t q0,
           const float* probs, const float* lse);

  // The trace: one "tokens" sequence, one TraceLayer per site (mechanism "scaled_dot").
  io::Trace to_trace(const std::vector<std::string>& tokens, const std::map<std::string, std::string>& meta) const;
  void clear() { sites_.clear(); }
  bool empty() const { return sites_.empty(); }

 private:
  struct Block {
    int64_t q0, T, N;
    std::vector<float> dense;                 // [NH, T, N]
    std::vector<int32_t> topk_index;          // [NH, T, k]
    std::vector<float> topk_weight;           // [NH, T, k]
    std::vector<float> lse, entropy, max_weight;  // [NH, T]
    std::vector<int32_t> argmax;              // [NH, T]
  };
  struct Site {
    std::string name;
    int64_t NH = 0;
    std::vector<Block> blocks;
  };
  CaptureSpec spec_;
  std::map<int64_t, Site> sites_;
};

}  // namespace attnscope::models
