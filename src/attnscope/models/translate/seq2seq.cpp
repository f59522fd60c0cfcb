#include "attnscope/models/translate/seq2seq.h"

#include <algorithm>

#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/data/vocab.h"

namespace attnscope::models {

Batch make_batch(const std::vector<std::vector<int64_t>>& src, const std::vector<std::vector<int64_t>>& tgt) {
  if (src.empty()) throw ShapeError("make_batch: empty batch");
  if (!tgt.empty() && tgt.size() != src.size())
    throw ShapeError("make_batch: " + std::to_string(src.size()) + " sources for " + std::to_string(tgt.size()) + " targets");
  Batch b;
  b.B = static_cast<int64_t>(src.size());
  for (const auto& s : src) b.S = std::max<int64_t>(b.S, static_cast<int64_t>(s.size()));
  if (b.S == 0) throw ShapeError("make_batch: every source is empty");
  b.src.assign(b.B * b.S, data::Vocab::kPad);
  for (int64_t i = 0; i < b.B; ++i) {
    std::copy(src[i].begin(), src[i].end(), b.src.begin() + i * b.S);
    // An empty source still gets one (pad) position so that attention has a key.
    b.src_len.push_back(std::max<int32_t>(1, static_cast<int32_t>(src[i].size())));
  }
  if (!tgt.empty()) {
    for (const auto& t : tgt) b.T = std::max<int64_t>(b.T, static_cast<int64_t>(t.size()) + 1);
    b.tgt_in.assign(b.B * b.T, data::Vocab::kPad);
    b.tgt_out.assign(b.B * b.T, ops::kIgnore);
    for (int64_t i = 0; i < b.B; ++i) {
      const auto& t = tgt[i];
      b.tgt_in[i * b.T] = data::Vocab::kBos;
      for (size_t j = 0; j < t.size(); ++j) {
        b.tgt_in[i * b.T + j + 1] = t[j];
        b.tgt_out[i * b.T + j] = t[j];
      }
      b.tgt_out[i * b.T + t.size()] = data::Vocab::kEos;
    }
  }
  return b;
}

}  // namespace attnscope::models

namespace attnscope::models {

Tensor Seq2SeqModel::probed_source(const Tensor& embedded) const {
  if (!probe_on_) return embedded;
  probe_ = Tensor::zeros(embedded.shape(), embedded.dtype());
  probe_.requires_grad_();
  embedded_ = embedded.detach();
  return ops::add(embedded, probe_);
}

}  // namespace attnscope::models
