// The processes this run is one of: one process, or — in a build with -DATTNSCOPE_MPI=ON,
// launched by `mpirun -np K` — the K ranks of an MPI launch (dist/, docs/DISTRIBUTED.md). The
// verbs that split work across processes (`train`, `analyze --corpus`) ask for it; the others
// never start MPI. The one-process world is the default build's and needs no MPI.
#pragma once
#include <string>
#include <vector>

#include "attnscope/train/grad_sync.h"

namespace attnscope::cli {

class World {
 public:
  virtual ~World() = default;
  virtual int rank() const { return 0; }
  virtual int size() const { return 1; }
  bool is_root() const { return rank() == 0; }
  // The training replicas' hook (nullptr in one process: the Trainer's own no-op).
  virtual train::GradSync* grad_sync() { return nullptr; }
  // Rank 0 gets every rank's bytes in rank order; the others get an empty vector.
  virtual std::vector<std::string> gather(const std::string& bytes) { return {bytes}; }
};

// This process's world; under mpirun (MPI build) the first call starts MPI and, unless the
// thread count was chosen, gives each rank its share of the machine's cores.
World& world();

// After an error on this process: in a launch of several ranks, ends them all with `code` (the
// others would wait for it in a collective forever); otherwise returns.
void end_world_after_error(int code);

}  // namespace attnscope::cli
