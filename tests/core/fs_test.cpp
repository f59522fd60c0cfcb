// core/fs: atomic writes create their temporary file exclusively under an unpredictable name (a
// symlink planted at a guessable name cannot redirect them), clean up stale temporaries of the
// same output, and check output paths before work.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"

namespace attnscope {
namespace {

namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  const fs::path d = fs::path(ATTNSCOPE_BINARY_DIR) / "test-tmp" / ("fs_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

int temp_files(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename().string().find(".tmp.") != std::string::npos;
  return n;
}

// Issue 17 item 7: outputs went through OUT.tmp.<pid> opened with O_CREAT|O_TRUNC, so a symlink
// planted there made a write overwrite another file.
TEST(AtomicWrite, PlantedSymlinksAreNeverFollowed) {
  const fs::path d = scratch("symlink");
  const fs::path victim = d / "victim.txt";
  std::ofstream(victim) << "keep me";
  const std::string out = (d / "out.txt").string();
  for (const std::string& guess : {out + ".tmp." + std::to_string(::getpid()), out + ".tmp"})
    fs::create_symlink(victim, guess);
  write_file_atomic(out, "new content");
  std::ifstream in(victim);
  std::string s((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(s, "keep me");
  std::ifstream o(out);
  std::string t((std::istreambuf_iterator<char>(o)), {});
  EXPECT_EQ(t, "new content");
}

TEST(AtomicWrite, StaleTemporariesOfTheSameOutputAreRemoved) {
  const fs::path d = scratch("stale");
  const std::string out = (d / "r.json").string();
  std::ofstream(out + ".tmp.Ab12Cd") << "left by a killed run";
  std::ofstream(d / "other.json.tmp.Ab12Cd") << "another output's";
  write_file_atomic(out, "{}");
  EXPECT_FALSE(fs::exists(out + ".tmp.Ab12Cd"));
  EXPECT_TRUE(fs::exists(d / "other.json.tmp.Ab12Cd"));
  EXPECT_EQ(temp_files(d), 1);
}

TEST(AtomicWrite, PermissionsAreThoseOfAPlainCreateAndFailuresLeaveNothing) {
  const fs::path d = scratch("perm");
  const std::string out = (d / "p.bin").string();
  write_file_atomic(out, "x");
  struct stat st {};
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  const mode_t mask = ::umask(0);
  ::umask(mask);
  EXPECT_EQ(st.st_mode & 0777, 0666 & ~mask);
  EXPECT_THROW(write_atomic_with(out, [](const std::string&) { throw IoError("fill failed"); }), IoError);
  EXPECT_EQ(temp_files(d), 0);
  EXPECT_THROW(write_file_atomic((d / "missing" / "x").string(), "x"), IoError);
  EXPECT_THROW(check_output_path((d / "missing" / "x").string(), "report"), IoError);
}

}  // namespace
}  // namespace attnscope

namespace attnscope {
namespace {

// A FIFO nobody writes to would block an open for reading forever, /dev/zero never end and a
// directory read as empty: read_file refuses all three without opening them.
TEST(ReadFile, OnlyRegularFilesAreRead) {
  const fs::path d = scratch("read_kinds");
  const std::string fifo = (d / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& p : {fifo, std::string("/dev/zero"), d.string()}) {
    try {
      (void)read_file(p);
      ADD_FAILURE() << p << " was read";
    } catch (const IoError& e) {
      EXPECT_NE(std::string(e.what()).find(p == d.string() ? "is a directory" : "not a regular file"), std::string::npos) << e.what();
    }
  }
  std::ofstream(d / "ok.txt") << "text";
  fs::create_symlink(d / "ok.txt", d / "link.txt");
  EXPECT_EQ(read_file((d / "link.txt").string()), "text");  // a symlink to a regular file is fine
  EXPECT_THROW(read_file((d / "missing").string()), IoError);
}

// The rename of an atomic write replaces the node at the path: a FIFO (or, for root, /dev/null)
// there is refused, before any work and at the write, and stays what it was.
TEST(AtomicWrite, OnlyRegularFilesAreReplaced) {
  const fs::path d = scratch("write_kinds");
  const std::string fifo = (d / "out.fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THROW(check_output_path(fifo, "report"), IoError);
  EXPECT_THROW(write_file_atomic(fifo, "x"), IoError);
  struct stat st {};
  ASSERT_EQ(::stat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(temp_files(d), 0);
  // A regular file is replaced as before.
  const std::string plain = (d / "out.txt").string();
  write_file_atomic(plain, "one");
  check_output_path(plain, "report");
  write_file_atomic(plain, "two");
  EXPECT_EQ(read_file(plain), "two");
}

}  // namespace
}  // namespace attnscope
