// The translation verbs through the binary: a run killed mid-way (SIGKILL) resumes from its
// last checkpoint on the same loss curve; bad inputs give one-line errors.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The "training" JSON of a checkpoint's safetensors metadata.
nlohmann::json training_state(const fs::path& ckpt) {
  const std::string bytes = slurp(ckpt);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  auto header = nlohmann::json::parse(bytes.substr(8, n));
  return nlohmann::json::parse(header["__metadata__"]["training"].get<std::string>());
}

class TranslateCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(ATTNSCOPE_BINARY_DIR) / "test-tmp" /
           ("translate_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    bin_ = fs::path(ATTNSCOPE_BINARY_DIR) / "attnscope";
    ASSERT_TRUE(fs::exists(bin_));
  }
  int run(const std::string& args, std::string* err = nullptr) {
    const std::string cmd = "cd '" + dir_.string() + "' && ATTNSCOPE_THREADS=1 '" + bin_.string() + "' " + args +
                            " >out.txt 2>err.txt";
    const int status = std::system(cmd.c_str());
    if (err) *err = slurp(dir_ / "err.txt");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  fs::path dir_, bin_;
};

const char* kTrain = "train translate --builtin dates --steps 60 --eval-every 10 --hidden 32 --embed 16 -q";

TEST_F(TranslateCommands, KilledRunResumesOnTheSameLossCurve) {
  ASSERT_EQ(run(std::string(kTrain) + " -o straight.ckpt"), 0);
  const auto straight = training_state(dir_ / "straight.ckpt")["losses"];
  ASSERT_EQ(straight.size(), 60u);

  // Start the same run and kill it (SIGKILL) once it has written a checkpoint.
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::chdir(dir_.c_str());
    ::setenv("ATTNSCOPE_THREADS", "1", 1);
    ::freopen("/dev/null", "w", stderr);
    execl(bin_.c_str(), "attnscope", "train", "translate", "--builtin", "dates", "--steps", "60", "--eval-every", "10",
          "--hidden", "32", "--embed", "16", "-q", "-o", "killed.ckpt", static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(dir_ / "killed.ckpt") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(fs::exists(dir_ / "killed.ckpt"));
  const size_t done = training_state(dir_ / "killed.ckpt")["losses"].size();
  ASSERT_GT(done, 0u);
  ASSERT_LT(done, 60u) << "the run finished before it could be killed";

  ASSERT_EQ(run(std::string(kTrain) + " --resume killed.ckpt -o killed.ckpt"), 0);
  const auto resumed = training_state(dir_ / "killed.ckpt")["losses"];
  ASSERT_EQ(resumed.size(), 60u);
  for (size_t i = 0; i < 60; ++i) EXPECT_EQ(resumed[i].get<float>(), straight[i].get<float>()) << "step " << i;
  // No temporary files left behind.
  for (const auto& e : fs::directory_iterator(dir_)) EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos);
}

TEST_F(TranslateCommands, BadInputsGiveOneLineErrors) {
  auto expect_error = [&](const std::string& args, int code) {
    std::string err;
    EXPECT_EQ(run(args, &err), code) << args << ": " << err;
    EXPECT_EQ(err.rfind("attnscope: ", 0), 0u) << err;
    EXPECT_EQ(err.find('\n'), err.size() - 1) << "not one line: " << err;
  };
  std::ofstream(dir_ / "notab.tsv") << "hello\tbonjour\nno tab here\n";
  std::ofstream(dir_ / "empty.tsv") << "\n\n";
  std::ofstream(dir_ / "junk.ckpt") << "not a checkpoint at all";
  expect_error("train translate --data notab.tsv --steps 1 -q", 1);
  expect_error("train translate --data empty.tsv --steps 1 -q", 1);
  expect_error("train translate --data missing.tsv --steps 1 -q", 1);
  expect_error("train translate --builtin dates --model lstm --steps 1", 2);
  expect_error("train translate --builtin dates --attention monotonic --steps 1", 2);
  expect_error("train translate --builtin dates --attention local --window 0 --steps 1", 2);
  expect_error("translate --model junk.ckpt hello", 1);
  expect_error("translate --model missing.ckpt hello", 1);
  ASSERT_EQ(run("train translate --builtin dates --steps 5 --hidden 32 --embed 16 -q -o tiny.ckpt"), 0);
  expect_error("translate --model tiny.ckpt '   '", 1);
  // Text made only of unknown words still translates (to something), with a warning.
  std::string err;
  EXPECT_EQ(run("translate --model tiny.ckpt 'zzz qqq'", &err), 0) << err;
  EXPECT_NE(err.find("unknown"), std::string::npos);
}

// --attention local|hard train, save and translate through the binary, and their traces name
// the mechanism (local_p, hard_gumbel) at the usual site.
TEST_F(TranslateCommands, LocalAndHardAttentionFromTheCommandLine) {
  for (const std::string kind : {"local", "hard"}) {
    ASSERT_EQ(run("train translate --builtin dates --steps 8 --hidden 32 --embed 16 -q --attention " + kind +
                  " -o " + kind + ".ckpt"),
              0)
        << slurp(dir_ / "err.txt");
    EXPECT_NE(slurp(dir_ / "out.txt").find("dates: exact="), std::string::npos);
    ASSERT_EQ(run("translate --model " + kind + ".ckpt '3 avril 1999' --trace " + kind + ".attn.safetensors"), 0)
        << slurp(dir_ / "err.txt");
    ASSERT_EQ(run("inspect " + kind + ".attn.safetensors"), 0) << slurp(dir_ / "err.txt");
    const std::string info = slurp(dir_ / "out.txt");
    EXPECT_NE(info.find("decoder.cross"), std::string::npos) << info;
    EXPECT_NE(info.find(kind == "local" ? "local_p" : "hard_gumbel"), std::string::npos) << info;
  }
}

}  // namespace
