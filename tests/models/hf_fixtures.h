// The HF-layout fixtures (random GPT-2, BERT, Llama checkpoints with NumPy references) written
// by tests/models/make_hf_checkpoints.py once per test process; tests skip without NumPy.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

class HfFixtures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // One directory per process: ctest runs each TEST as its own process, possibly in parallel.
    dir_ = (std::filesystem::path(ATTNSCOPE_BINARY_DIR) / ("models_hf_fixtures_" + std::to_string(getpid()))).string();
    if (!std::filesystem::exists("/usr/bin/python3")) return;
    const std::string cmd = "/usr/bin/python3 " + std::string(ATTNSCOPE_SOURCE_DIR) +
                            "/tests/models/make_hf_checkpoints.py " + dir_ + " 2>&1";
    const int rc = std::system(cmd.c_str());
    ok_ = rc == 0;
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void SetUp() override {
    if (!ok_) GTEST_SKIP() << "/usr/bin/python3 with NumPy is needed to generate the HF fixtures";
  }
  static std::string path(const std::string& name) { return (std::filesystem::path(dir_) / name).string(); }

  static inline std::string dir_;
  static inline bool ok_ = false;
};
