#include "attnscope/viz/mp4_writer.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"

extern char** environ;

namespace attnscope::viz {

std::string find_ffmpeg() {
  if (const char* env = std::getenv("ATTNSCOPE_FFMPEG")) return ::access(env, X_OK) == 0 ? env : "";
  const char* path = std::getenv("PATH");
  std::string_view p = path ? path : "/usr/bin:/bin";
  while (!p.empty()) {
    const size_t colon = p.find(':');
    const std::string dir(p.substr(0, colon));
    p = colon == std::string_view::npos ? std::string_view() : p.substr(colon + 1);
    const std::string exe = (dir.empty() ? "." : dir) + "/ffmpeg";
    if (::access(exe.c_str(), X_OK) == 0) return exe;
  }
  return "";
}

Mp4Writer::Mp4Writer(const std::string& path, int width, int height, double fps)
    : path_(path), log_path_(path + ".ffmpeg.log"), w_(width), h_(height), fps_(fps) {
  const std::string ffmpeg = find_ffmpeg();
  ATTNSCOPE_CHECK(!ffmpeg.empty(), ConfigError,
                  "MP4 output needs the ffmpeg program, which is not installed (Debian package 'ffmpeg': "
                  "apt-get install ffmpeg); or write a .gif or a PNG frame directory DIR/");
  ATTNSCOPE_CHECK(width >= 2 && height >= 2 && width % 2 == 0 && height % 2 == 0, ConfigError,
                  "MP4 size must be even (H.264 4:2:0), got " + std::to_string(width) + "x" + std::to_string(height));
  ATTNSCOPE_CHECK(fps > 0 && fps <= 120, ConfigError, "MP4 frame rate (fps) must be in (0, 120]");
  int pipefd[2];
  ATTNSCOPE_CHECK(::pipe(pipefd) == 0, IoError, std::string("cannot start ffmpeg: pipe: ") + std::strerror(errno));
  char size[32], rate[32];
  std::snprintf(size, sizeof size, "%dx%d", width, height);
  std::snprintf(rate, sizeof rate, "%.6g", fps);
  // Cairo's ARGB32 is B,G,R,A in memory on little-endian machines: ffmpeg's bgra. The output goes
  // through the file: protocol, so a path such as "pipe:1" or "-x" is taken as a file name.
  std::vector<std::string> args = {ffmpeg, "-nostdin", "-y", "-loglevel", "error", "-f", "rawvideo",
                                    "-pix_fmt", "bgra", "-s", size, "-r", rate, "-i", "pipe:0",
                                    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "20",
                                    "-movflags", "+faststart", "-f", "mp4", "file:" + path};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pipefd[0], 0);
  posix_spawn_file_actions_addclose(&fa, pipefd[1]);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, ffmpeg.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(pipefd[0]);
  if (rc != 0) {
    ::close(pipefd[1]);
    throw IoError("cannot start '" + ffmpeg + "': " + std::strerror(rc));
  }
  pid_ = pid;
  fd_ = pipefd[1];
}

Mp4Writer::~Mp4Writer() {
  if (fd_ >= 0) ::close(fd_);
  if (pid_ > 0) {
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::remove(log_path_.c_str());
}

void Mp4Writer::write_frame(const Frame& f) {
  const char* p = reinterpret_cast<const char*>(f.px.data());
  size_t left = f.px.size() * 4;
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string log;
      try {
        log = read_file(log_path_);
      } catch (const Error&) {
      }
      if (const size_t nl = log.find('\n'); nl != std::string::npos) log.resize(nl);
      throw IoError("ffmpeg stopped while writing '" + path_ + "'" + (log.empty() ? "" : ": " + log));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  ++written_;
}

void Mp4Writer::add(const Frame& frame, double seconds) {
  ATTNSCOPE_CHECK(fd_ >= 0, Error, "MP4 '" + path_ + "': frame added after finish");
  ATTNSCOPE_CHECK(frame.width == w_ && frame.height == h_, ShapeError, "MP4 frame size differs from the video's");
  // A broken pipe must surface as an error, not kill the process.
  struct sigaction ign{}, old{};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ign, &old);
  struct Restore {
    struct sigaction* old;
    ~Restore() { ::sigaction(SIGPIPE, old, nullptr); }
  } restore{&old};
  const int64_t start = std::llround(clock_ * fps_);
  clock_ += seconds;
  const int64_t copies = std::max<int64_t>(written_ == 0 ? 1 : 0, std::llround(clock_ * fps_) - start);
  for (int64_t i = 0; i < copies; ++i) write_frame(frame);
}

void Mp4Writer::finish() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string log;
    try {
      log = read_file(log_path_);
    } catch (const Error&) {
    }
    if (const size_t nl = log.find('\n'); nl != std::string::npos) log.resize(nl);
    throw IoError("ffmpeg failed writing '" + path_ + "'" + (log.empty() ? "" : ": " + log));
  }
}

}  // namespace attnscope::viz
