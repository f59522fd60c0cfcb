// GradSync: the one hook between backward and the optimizer step through which replicas of a
// data-parallel run agree (Marian's communicator, llm.c's all-reduce). The default is one
// process: nothing to do. An MPI build plugs MPI_Allreduce in here; a test plugs in threads.
//
// Contract for all_reduce: each replica computed gradients of the mean loss over its `units`;
// afterwards every replica holds the units-weighted mean gradient over all replicas,
//   g = Σ_r units_r · g_r / Σ_r units_r,
// which is the gradient of the mean over the whole global batch; the returned loss is averaged
// the same way. Only the root replica prints progress and writes checkpoints.
#pragma once
#include <vector>

#include "attnscope/tensor/tensor.h"
#include "attnscope/train/task.h"

namespace attnscope::train {

class GradSync {
 public:
  virtual ~GradSync() = default;
  virtual Shard shard() const { return {}; }
  virtual bool is_root() const { return true; }
  // grads: the parameters' gradient tensors (f32, contiguous), updated in place.
  virtual double all_reduce(const std::vector<Tensor>& grads, double loss, double units) {
    (void)grads;
    (void)units;
    return loss;
  }
  // True on every replica when any replica says true (stop together: time limits).
  virtual bool any(bool flag) { return flag; }
};

}  // namespace attnscope::train
