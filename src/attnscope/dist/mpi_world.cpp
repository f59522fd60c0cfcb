#include "attnscope/dist/mpi_world.h"

#include <mpi.h>

#include <cstdlib>
#include <limits>

#include "attnscope/core/error.h"

namespace attnscope::dist {
namespace {

bool g_started = false;

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  throw Error(std::string(what) + " failed: " + std::string(msg, len));
}

int to_count(size_t n) {
  if (n > static_cast<size_t>(std::numeric_limits<int>::max())) throw ValueError("MPI message of " + std::to_string(n) + " elements is too large");
  return static_cast<int>(n);
}

}  // namespace

MpiWorld& MpiWorld::get() {
  static MpiWorld world;  // finished (MPI_Finalize) at normal exit, after main returns
  return world;
}

bool MpiWorld::started() { return g_started; }

MpiWorld::MpiWorld() {
  int done = 0;
  MPI_Initialized(&done);
  if (!done) {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  }
  // Errors come back as codes (turned into exceptions) instead of aborting inside MPI.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm local;
  check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local), "MPI_Comm_split_type");
  MPI_Comm_size(local, &local_size_);
  MPI_Comm_free(&local);
  g_started = true;
}

MpiWorld::~MpiWorld() {
  int done = 0;
  MPI_Finalized(&done);
  if (!done) MPI_Finalize();
}

void MpiWorld::sum(std::span<double> values) const {
  if (size_ == 1 || values.empty()) return;
  check(MPI_Allreduce(MPI_IN_PLACE, values.data(), to_count(values.size()), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD),
        "MPI_Allreduce");
}

bool MpiWorld::any(bool flag) const {
  if (size_ == 1) return flag;
  int v = flag ? 1 : 0;
  check(MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD), "MPI_Allreduce");
  return v != 0;
}

std::vector<std::string> MpiWorld::gather(const std::string& bytes) const {
  if (size_ == 1) return {bytes};
  const int n = to_count(bytes.size());
  std::vector<int> sizes(rank_ == 0 ? size_ : 0), offsets(sizes.size());
  check(MPI_Gather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Gather");
  std::string all;
  if (rank_ == 0) {
    size_t total = 0;
    for (int r = 0; r < size_; ++r) offsets[r] = to_count(total), total += sizes[r];
    all.resize(total);
  }
  check(MPI_Gatherv(bytes.data(), n, MPI_CHAR, all.data(), sizes.data(), offsets.data(), MPI_CHAR, 0, MPI_COMM_WORLD),
        "MPI_Gatherv");
  std::vector<std::string> out;
  for (int r = 0; r < static_cast<int>(sizes.size()); ++r) out.push_back(all.substr(offsets[r], sizes[r]));
  return out;
}

void MpiWorld::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);  // MPI_Abort does not return; this only satisfies [[noreturn]]
}

}  // namespace attnscope::dist
