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
