// Serves a trace in the interactive viewer from inside a program: the server runs on its own
// thread while the program goes on (here: it waits SECONDS, then stops). `attnscope view TRACE`
// instead calls serve::run_viewer(trace, options), which blocks until interrupted.
//   serve_trace TRACE [SECONDS] [PORT]
#include <attnscope/io/trace_io.h>
#include <attnscope/serve/server.h>
#include <attnscope/serve/trace_source.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

using namespace attnscope;

int main(int argc, char** argv) try {
  if (argc < 2) {
    std::fprintf(stderr, "usage: serve_trace TRACE [SECONDS] [PORT]\n");
    return 2;
  }
  serve::ServerOptions options;  // 127.0.0.1; port 0: any free port
  options.port = argc > 3 ? std::stoi(argv[3]) : 0;
  auto source = std::make_shared<const serve::TraceSource>(io::read_trace(argv[1]));  // validates
  serve::Server server(source, options);
  server.bind();
  std::thread thread([&] { server.run(); });
  std::printf("attnscope viewer: %s\n", server.url().c_str());
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::seconds(argc > 2 ? std::stoi(argv[2]) : 60));
  server.stop();
  thread.join();
  std::printf("stopped\n");
} catch (const std::exception& e) {
  std::fprintf(stderr, "serve_trace: %s\n", e.what());
  return 1;
}
