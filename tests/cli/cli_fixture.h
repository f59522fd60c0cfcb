// Shared by the tests that run build/attnscope: a scratch directory per test, run(ARGS) with
// stdout and stderr captured, and the error contract every verb keeps: exactly one line on
// stderr starting "attnscope: ", a given exit code (1 bad input, 2 usage), never a crash.
#pragma once
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace cli_test {

namespace fs = std::filesystem;

struct CmdResult {
  int code = -1;
  std::string out, err;
};

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A float32 .npy of shape [L, H, T, T]: row-softmax-like weights with query T-1 hot on key 2;
// causal: query q spreads over keys 0..q only (uniformly).
inline std::string attention_npy(int L, int H, int T, bool causal = false) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(L) + ", " +
                     std::to_string(H) + ", " + std::to_string(T) + ", " + std::to_string(T) + "), }";
  while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  std::string out = std::string("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>(dict.size() >> 8);
  out += dict;
  std::vector<float> w(static_cast<size_t>(L) * H * T * T, 0.5f / T);
  for (int r = 0; r < L * H * T; ++r) {
    float* row = w.data() + static_cast<size_t>(r) * T;
    if (causal)
      for (int k = 0; k < T; ++k) row[k] = k <= r % T ? 1.0f / float(r % T + 1) : 0.0f;
    else
      row[r % T == T - 1 ? 2 : r % T] += 0.5f;
  }
  out.append(reinterpret_cast<const char*>(w.data()), w.size() * 4);
  return out;
}

class CliTest : public ::testing::Test {
 protected:
  // A fresh build/test-tmp/<prefix><test name>/; `env` is put before every command (NAME=value ...).
  void make_dir(const std::string& prefix, const std::string& env = "") {
    dir_ = fs::path(ATTNSCOPE_BINARY_DIR) / "test-tmp" /
           (prefix + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    bin_ = fs::path(ATTNSCOPE_BINARY_DIR) / "attnscope";
    env_ = env;
    ASSERT_TRUE(fs::exists(bin_)) << bin_ << " not built";
  }
  // Runs `attnscope ARGS` in dir_ (arguments go through the shell: keep them simple).
  CmdResult run(const std::string& args) const {
    const std::string cmd =
        "cd '" + dir_.string() + "' && " + env_ + " '" + bin_.string() + "' " + args + " >out.txt 2>err.txt";
    const int status = std::system(cmd.c_str());
    CmdResult r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = slurp(dir_ / "out.txt");
    r.err = slurp(dir_ / "err.txt");
    return r;
  }
  void expect_error(const std::string& args, int code, const std::string& needle) const {
    const CmdResult r = run(args);
    EXPECT_EQ(r.code, code) << args << "\nstderr: " << r.err;
    EXPECT_EQ(r.err.rfind("attnscope: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "not one line: " << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << "want '" << needle << "' in: " << r.err;
  }
  fs::path dir_, bin_;
  std::string env_;
};

}  // namespace cli_test
