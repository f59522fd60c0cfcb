#include "attnscope/serve/viewer.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

extern char** environ;

namespace attnscope::serve {

bool open_in_browser(const std::string& url) {
  for (const char* program : {"xdg-open", "chromium", "firefox"}) {
    std::string prog = program, arg = url;
    char* argv[] = {prog.data(), arg.data(), nullptr};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", 0, 0);  // keep our output clean
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", 0, 0);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, program, &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc == 0) {
      // Reap it when it exits (xdg-open returns at once), so no zombie stays while we serve.
      std::thread([pid] { ::waitpid(pid, nullptr, 0); }).detach();
      return true;
    }
  }
  return false;
}

void run_viewer(io::Trace trace, const ViewerOptions& options, std::FILE* out) {
  auto source = std::make_shared<const TraceSource>(std::move(trace));
  Server server(source, options.server);
  server.bind();
  std::fprintf(out, "attnscope viewer: %s  (Ctrl-C to stop)\n", server.url().c_str());
  std::fflush(out);
  if (options.open_browser && !open_in_browser(server.url()))
    std::fprintf(stderr, "attnscope: could not start a browser; open %s yourself\n", server.url().c_str());
  server.run();
}

}  // namespace attnscope::serve
