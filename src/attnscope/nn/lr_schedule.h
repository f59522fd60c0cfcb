// Learning-rate schedules: linear warm-up from peak/warmup to peak over `warmup` steps, then
//   constant, cosine decay to min_lr at `total` steps (Loshchilov & Hutter 2017, no restarts),
//   or inverse square root (Vaswani et al. 2017): peak * sqrt(warmup / (step + 1)).
// A pure function of the step, so a resumed run needs only the step count.
#pragma once
#include <cstdint>
#include <string>

namespace attnscope::nn {

struct LrSchedule {
  enum class Kind { constant, cosine, inverse_sqrt };
  Kind kind = Kind::constant;
  double peak_lr = 1e-3;
  int64_t warmup = 0;  // steps of linear warm-up
  int64_t total = 0;   // cosine: step at which min_lr is reached (then held)
  double min_lr = 0.0;

  // Learning rate for update number `step` (0-based).
  double at(int64_t step) const;
  // "constant" | "cosine" | "inverse_sqrt" (ConfigError otherwise).
  static Kind parse_kind(const std::string& name);
};

}  // namespace attnscope::nn
