#include "attnscope/attention/kernel_capture.h"

namespace attnscope::attention {

namespace {
constexpr int kKernelMaxTopk = 256;  // flash_attention.h: capture top-k k in [1, 256]
}

KernelCapture::KernelCapture(Recorder* recorder, const Site& site, int64_t B, int64_t NH, int64_t T, int64_t N)
    : recorder_(recorder && !recorder->paused() ? recorder : nullptr), site_(site), B_(B), NH_(NH), T_(T), N_(N) {
  const int64_t rows = B * NH * T;
  if (!recorder_) {
    lse_.resize(rows);
    return;
  }
  const Keep& keep = recorder_->keep();
  if (keep.mode == io::TraceKeep::topk && keep.k > kKernelMaxTopk) {
    lse_.resize(rows);
    dense_.assign(rows * N, 0.0f);
    cap_.mode = kernels::CaptureMode::dense;
    cap_.dense = dense_.data();
    return;
  }
  record_ = &recorder_->open(site, B, NH, T, N);
  Record& r = *record_;
  r.lse.resize(rows);
  if (keep.mode == io::TraceKeep::dense) {
    cap_.mode = kernels::CaptureMode::dense;
    cap_.dense = r.dense.data();
  } else if (keep.mode == io::TraceKeep::topk) {
    cap_.mode = kernels::CaptureMode::topk;
    cap_.k = keep.k;
    cap_.topk_index = r.topk_index.data();
    cap_.topk_weight = r.topk_weight.data();
  } else {
    r.entropy.resize(rows);
    r.max_weight.resize(rows);
    r.argmax.resize(rows);
    cap_.mode = kernels::CaptureMode::stats;
    cap_.entropy = r.entropy.data();
    cap_.max_weight = r.max_weight.data();
    cap_.argmax = r.argmax.data();
  }
}

void KernelCapture::finish(Extras extras) {
  if (!recorder_) return;
  if (record_) {
    record_->extras = std::move(extras);
    recorder_->finish(*record_);
  } else {
    Tensor w = Tensor::empty(Shape{B_, NH_, T_, N_});
    std::copy(dense_.begin(), dense_.end(), w.data<float>());
    Tensor l = Tensor::empty(Shape{B_, NH_, T_});
    std::copy(lse_.begin(), lse_.end(), l.data<float>());
    recorder_->record(site_, w, std::move(extras), l);
  }
  recorder_ = nullptr;  // once
}

}  // namespace attnscope::attention
