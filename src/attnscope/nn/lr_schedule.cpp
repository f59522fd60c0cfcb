#include "attnscope/nn/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "attnscope/core/error.h"

namespace attnscope::nn {

double LrSchedule::at(int64_t step) const {
  if (step < 0) step = 0;
  if (step < warmup) return peak_lr * static_cast<double>(step + 1) / static_cast<double>(warmup);
  switch (kind) {
    case Kind::constant:
      return peak_lr;
    case Kind::cosine: {
      const double span = static_cast<double>(std::max<int64_t>(1, total - warmup));
      const double progress = std::clamp(static_cast<double>(step - warmup) / span, 0.0, 1.0);
      return min_lr + 0.5 * (peak_lr - min_lr) * (1.0 + std::cos(std::numbers::pi * progress));
    }
    case Kind::inverse_sqrt:
      return peak_lr * std::sqrt(static_cast<double>(std::max<int64_t>(warmup, 1)) /
                                 static_cast<double>(std::max<int64_t>(step + 1, std::max<int64_t>(warmup, 1))));
  }
  return peak_lr;
}

LrSchedule::Kind LrSchedule::parse_kind(const std::string& name) {
  if (name == "constant") return Kind::constant;
  if (name == "cosine") return Kind::cosine;
  if (name == "inverse_sqrt") return Kind::inverse_sqrt;
  throw ConfigError("unknown learning-rate schedule '" + name + "' (constant, cosine, inverse_sqrt)");
}

}  // namespace attnscope::nn
