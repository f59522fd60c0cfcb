// EvalMode: a module in eval mode (dropout off, hard attention deterministic) for one scope. The
// mode it had before is restored when the scope ends — also when the forward pass inside throws,
// so a failed translation or evaluation never leaves a training model in eval mode.
#pragma once
#include "attnscope/nn/module.h"

namespace attnscope::nn {

class EvalMode {
 public:
  explicit EvalMode(Module& m) : m_(m), was_training_(m.training()) { m_.eval(); }
  ~EvalMode() { m_.train(was_training_); }
  EvalMode(const EvalMode&) = delete;
  EvalMode& operator=(const EvalMode&) = delete;

 private:
  Module& m_;
  bool was_training_;
};

}  // namespace attnscope::nn
