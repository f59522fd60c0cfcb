#include "attnscope/core/fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "attnscope/core/error.h"
#include "attnscope/core/interrupt_cleanup.h"

namespace attnscope {

void require_regular_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw IoError("cannot open '" + path + "': " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw IoError("cannot read '" + path + "': is a directory");
  if (!S_ISREG(st.st_mode)) throw IoError("cannot read '" + path + "': not a regular file (a device, FIFO or socket)");
}

std::string read_file(const std::string& path) {
  require_regular_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open '" + path + "': " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw IoError("cannot read '" + path + "'");
  return std::move(ss).str();
}

namespace {

constexpr const char* kTempInfix = ".tmp.";

// Creates the temporary file exclusively under an unpredictable name (mkstemp: O_CREAT|O_EXCL,
// so a symlink planted at a guessable name can never redirect the write), with the permissions a
// plain create would give. Returns its path.
std::string create_temp(const std::string& path) {
  std::string tmpl = path + kTempInfix + "XXXXXX";
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    // Said about the output the user named, not the temporary file it goes through.
    const int err = errno;
    const std::filesystem::path p(path);
    const std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
    if (err == ENOENT) throw IoError("cannot write '" + path + "': directory '" + dir + "' does not exist");
    if (err == ENOTDIR) throw IoError("cannot write '" + path + "': '" + dir + "' is not a directory");
    throw IoError("cannot write '" + path + "': " + std::strerror(err));
  }
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  ::close(fd);
  return tmpl;
}

// Temporary files of earlier writes to `path` that were killed outright (SIGKILL, power loss):
// the next write to the same output removes them.
void remove_stale_temps(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path p(path);
  const std::string prefix = p.filename().string() + kTempInfix;
  std::error_code ec;
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() == prefix.size() + 6 && name.compare(0, prefix.size(), prefix) == 0 &&
        it->is_regular_file(ec) && !it->is_symlink(ec))
      fs::remove(it->path(), ec);
  }
}

void fsync_dir(const std::string& path) {
  const std::filesystem::path p(path);
  const std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// The rename replaces whatever node `path` names: only a regular file (or nothing) may be there.
void require_writable_node(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;  // nothing there yet (or a dangling symlink)
  if (S_ISDIR(st.st_mode)) throw IoError("cannot write '" + path + "': is a directory");
  if (!S_ISREG(st.st_mode))
    throw IoError("cannot write '" + path + "': not a regular file (a device, FIFO or socket); outputs are regular files");
}

}  // namespace

void write_atomic_with(const std::string& path, const std::function<void(const std::string&)>& fill) {
  require_writable_node(path);
  remove_stale_temps(path);
  const std::string tmp = create_temp(path);
  RemoveOnInterrupt guard(tmp);  // Ctrl-C / SIGTERM while filling: no temporary file left behind
  try {
    fill(tmp);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  // fsync so that the rename never exposes an empty file after a power loss.
  int fd = ::open(tmp.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw IoError("cannot write '" + path + "': " + why);
  }
  fsync_dir(path);  // the rename itself survives a power loss
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
  write_atomic_with(path, [&](const std::string& tmp) {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw IoError("cannot create '" + path + "': " + std::strerror(errno));
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    const bool closed = std::fclose(f) == 0;
    if (!ok || !closed) throw IoError("cannot write '" + path + "': disk full or I/O error");
  });
}

void check_output_path(const std::string& path, const char* what) {
  if (path.empty()) return;
  const std::filesystem::path p(path);
  const std::filesystem::path dir = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw IoError(std::string(what) + " '" + path + "': directory '" + dir.string() + "' does not exist");
  if (std::filesystem::is_directory(p, ec)) throw IoError(std::string(what) + " '" + path + "' is a directory");
  if (std::filesystem::exists(p, ec) && !std::filesystem::is_regular_file(p, ec))
    throw IoError(std::string(what) + " '" + path + "' is not a regular file (a device, FIFO or socket); outputs are regular files");
}

}  // namespace attnscope
