// Shared by the MPI tests (MPI build only): the CLI test fixture plus `launch(K, ARGS)`, which runs
// `mpiexec -n K attnscope ARGS`, and the per-step loss history a training checkpoint holds.
// The launcher's settings for running as root and for more ranks than cores are set here, not by
// the user: Open MPI refuses both without them; MPICH's hydra needs neither and ignores them.
#pragma once
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>

#include "cli_fixture.h"

namespace mpi_test {

using cli_test::CmdResult;

class MpiTest : public cli_test::CliTest {
 protected:
  void SetUp() override { make_dir("mpi_", kEnv); }
  // `mpiexec -n ranks attnscope args` in the test's directory (mpiexec goes between the
  // environment and the binary).
  CmdResult launch(int ranks, const std::string& args) {
    const std::string env = env_;
    env_ = env + " " + ATTNSCOPE_MPIEXEC + " -n " + std::to_string(ranks);
    CmdResult r = run(args);
    env_ = env;
    return r;
  }
  // The loss of every step from step 0, from a checkpoint's training state (nn/checkpoint.h).
  std::vector<float> losses(const std::string& checkpoint) const {
    const std::string bytes = cli_test::slurp(dir_ / checkpoint);
    uint64_t n = 0;
    if (bytes.size() < 8) return {};
    std::memcpy(&n, bytes.data(), 8);  // safetensors: little-endian header length, then JSON
    const nlohmann::json header = nlohmann::json::parse(bytes.substr(8, n));
    const nlohmann::json training = nlohmann::json::parse(header.at("__metadata__").at("training").get<std::string>());
    return training.at("losses").get<std::vector<float>>();
  }
  // Per step: |a - b| <= tol · |b| (the same curve up to the order of float sums).
  static void expect_same_curve(const std::vector<float>& a, const std::vector<float>& b, double tol) {
    ASSERT_EQ(a.size(), b.size());
    ASSERT_FALSE(a.empty());
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      const double rel = std::abs(double(a[i]) - b[i]) / std::abs(double(b[i]));
      worst = std::max(worst, rel);
      EXPECT_LE(rel, tol) << "step " << i << ": " << a[i] << " vs " << b[i];
    }
    std::printf("largest relative difference per step: %.2e over %zu steps\n", worst, a.size());
  }
  static constexpr const char* kEnv =
      "ATTNSCOPE_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
      "OMPI_MCA_rmaps_base_oversubscribe=1";
};

}  // namespace mpi_test
