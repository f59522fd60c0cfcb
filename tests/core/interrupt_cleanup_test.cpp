#include "attnscope/core/interrupt_cleanup.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "attnscope/core/fs.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {
fs::path interrupt_dir(const std::string& name) {
  const fs::path d = fs::path(ATTNSCOPE_BINARY_DIR) / "test-tmp" / ("interrupt_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}
void touch(const fs::path& p) { std::ofstream(p) << "x"; }
}  // namespace

// A SIGTERM removes what is registered (files, then emptied directories), leaves what was
// released, and still ends the process by that signal.
TEST(RemoveOnInterrupt, SigtermRemovesRegisteredFilesAndReraises) {
  const fs::path d = interrupt_dir("sigterm");
  const fs::path live = d / "live.tmp", released = d / "done.txt", sub = d / "frames", frame = sub / "f0.png";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    touch(live);
    touch(released);
    fs::create_directories(sub);
    RemoveOnInterrupt g_dir(sub.string());
    touch(frame);
    RemoveOnInterrupt g_frame(frame.string()), g_live(live.string());
    { RemoveOnInterrupt g_done(released.string()); }  // released before the signal
    ::raise(SIGTERM);
    ::_exit(0);  // not reached
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
  EXPECT_FALSE(fs::exists(live));
  EXPECT_FALSE(fs::exists(frame));
  EXPECT_FALSE(fs::exists(sub));
  EXPECT_TRUE(fs::exists(released));
}

// The atomic writer registers its temporary file: interrupted inside the fill, nothing remains.
TEST(RemoveOnInterrupt, AtomicWriteInterruptedLeavesNoTemporaryFile) {
  const fs::path d = interrupt_dir("atomic");
  const fs::path out = d / "out.bin";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    write_atomic_with(out.string(), [](const std::string& tmp) {
      touch(tmp);
      ::raise(SIGINT);
    });
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) << status;
  EXPECT_TRUE(fs::is_empty(d)) << fs::directory_iterator(d)->path();
}
