#include "attnscope/cli/world.h"

#include <algorithm>
#include <thread>

#include "attnscope/core/parallel.h"

// The one place that knows whether MPI is built in (cli/CMakeLists.txt defines ATTNSCOPE_MPI for
// this file only, so every other object is the same as in the default build).
#if ATTNSCOPE_MPI
#include <memory>

#include "attnscope/dist/mpi_grad_sync.h"
#include "attnscope/dist/mpi_world.h"
#endif

namespace attnscope::cli {
namespace {

#if ATTNSCOPE_MPI
class MpiProcesses : public World {
 public:
  MpiProcesses() : mpi_(dist::MpiWorld::get()), sync_(mpi_) {
    // K ranks on one machine with all cores each would oversubscribe it K-fold.
    if (mpi_.local_size() > 1 && !num_threads_explicit()) {
      const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
      set_num_threads(std::max(1, cores / mpi_.local_size()));
    }
  }
  int rank() const override { return mpi_.rank(); }
  int size() const override { return mpi_.size(); }
  train::GradSync* grad_sync() override { return mpi_.size() > 1 ? &sync_ : nullptr; }
  std::vector<std::string> gather(const std::string& bytes) override { return mpi_.gather(bytes); }

 private:
  dist::MpiWorld& mpi_;
  dist::MpiGradSync sync_;
};
#endif

}  // namespace

World& world() {
#if ATTNSCOPE_MPI
  static MpiProcesses w;
#else
  static World w;
#endif
  return w;
}

void end_world_after_error(int code) {
#if ATTNSCOPE_MPI
  if (dist::MpiWorld::started() && dist::MpiWorld::get().size() > 1) dist::MpiWorld::get().abort(code);
#else
  (void)code;
#endif
}

}  // namespace attnscope::cli
