// MpiGradSync: train::GradSync over MPI — the data-parallel replica of one rank. Each rank takes
// its Shard of every global batch; all_reduce sums units_r · g_r and units_r · loss_r over the
// ranks (one MPI_Allreduce of the flattened gradients, in double) and divides by Σ units_r, so
// every rank holds the gradient of the mean loss over the whole global batch (grad_sync.h).
#pragma once
#include <vector>

#include "attnscope/dist/mpi_world.h"
#include "attnscope/train/grad_sync.h"

namespace attnscope::dist {

class MpiGradSync : public train::GradSync {
 public:
  explicit MpiGradSync(const MpiWorld& world) : world_(world) {}
  train::Shard shard() const override { return {world_.rank(), world_.size()}; }
  bool is_root() const override { return world_.rank() == 0; }
  double all_reduce(const std::vector<Tensor>& grads, double loss, double units) override;
  bool any(bool flag) override { return world_.any(flag); }

 private:
  const MpiWorld& world_;
  std::vector<double> flat_;  // [Σ numel + 2]: weighted gradients, then loss · units and units
};

}  // namespace attnscope::dist
