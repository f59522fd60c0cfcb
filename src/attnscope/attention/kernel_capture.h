// KernelCapture: one fused-kernel call's capture, from the recorder's keep mode to the kernel's
// capture buffers and back (the "kernel capture" seam in recorder.h). Every caller of the fused
// kernel (dot_product_attention, the imported models' self-attention) records through it, so
// what a trace holds does not depend on which model produced it.
//
//   KernelCapture cap(recorder, site, B, NH, T, N);   // recorder null or paused: captures nothing
//   params.lse = cap.lse();                            // the kernel writes lse [B, NH, T] here
//   flash_attention_forward(params, cap.kernel());
//   cap.finish(extras);                                // hands the record to the recorder
//
// Dense and stats write straight into the record's buffers (no T x N copy); top-k up to the
// kernel's limit (256) likewise; a larger k captures dense into a temporary and lets the
// recorder select.
#pragma once
#include <cstdint>
#include <vector>

#include "attnscope/attention/recorder.h"
#include "attnscope/kernels/attention/flash_attention.h"

namespace attnscope::attention {

class KernelCapture {
 public:
  KernelCapture(Recorder* recorder, const Site& site, int64_t B, int64_t NH, int64_t T, int64_t N);
  KernelCapture(const KernelCapture&) = delete;
  KernelCapture& operator=(const KernelCapture&) = delete;

  bool active() const { return recorder_ != nullptr; }
  const kernels::AttentionCapture& kernel() const { return cap_; }
  // Where the kernel should write lse [B, NH, T] (always valid, also when not recording).
  float* lse() { return record_ ? record_->lse.data() : lse_.data(); }
  // Completes the call's record (no-op when not recording). Call once, after the kernel.
  void finish(Extras extras = {});

 private:
  Recorder* recorder_ = nullptr;
  Site site_;
  int64_t B_, NH_, T_, N_;
  Record* record_ = nullptr;       // kernel writes into the recorder's buffers
  std::vector<float> lse_, dense_;  // otherwise: lse, and dense rows for a top-k beyond 256
  kernels::AttentionCapture cap_;
};

}  // namespace attnscope::attention
