// MpiWorld: this process as one rank of an MPI launch (`mpirun -np K attnscope ...`), and the few
// collectives attnscope needs — a sum, an "any", a gather to rank 0, an abort. MPI is started by
// the first instance and finished when the process exits normally; started outside mpirun, the
// process is a world of one (MPI's singleton start). Collectives are called from the main thread
// only (MPI_THREAD_FUNNELED): OpenMP threads compute, the main thread communicates.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace attnscope::dist {

class MpiWorld {
 public:
  // The world of this process (starts MPI on first use).
  static MpiWorld& get();
  // True once get() has run (an error path asks before deciding to abort the others).
  static bool started();

  int rank() const { return rank_; }
  int size() const { return size_; }
  // Ranks on this machine (MPI_COMM_TYPE_SHARED): they share its cores.
  int local_size() const { return local_size_; }

  // Element-wise sum over all ranks, in place; every rank gets the result.
  void sum(std::span<double> values) const;
  // True on every rank when any rank passes true.
  bool any(bool flag) const;
  // Rank 0 gets every rank's bytes in rank order; the others get an empty vector.
  std::vector<std::string> gather(const std::string& bytes) const;
  // Ends every rank of the launch with `code` (an error on one rank would leave the others
  // waiting in a collective forever).
  [[noreturn]] void abort(int code) const;

  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;

 private:
  MpiWorld();
  ~MpiWorld();
  int rank_ = 0, size_ = 1, local_size_ = 1;
};

}  // namespace attnscope::dist
