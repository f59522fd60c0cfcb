// GuardedHttpServer: cpp-httplib's server with its connection loop replaced by one that a slow or
// greedy client cannot hold. Debian's httplib 0.11.4 (a compiled library, its CPPHTTPLIB_* limits
// fixed at its build) reads a request's header byte by byte with no total bound and restarts the
// read timeout at every byte, so a client sending one header byte a second (slowloris) keeps a
// worker forever, and 50 MB of headers were accepted. Here each request has:
//   - a byte budget for its request line and headers (kMaxRequestBytes; more: HTTP 400, closed),
//   - a deadline from its first byte to its last (kRequestSeconds; later: the connection closes),
// and each client address at most max_slow_per_client requests that are slow (header still
// incomplete after slow_after) at once: one more is closed, while quick requests from the same
// address — on loopback every client shares 127.0.0.1 — are never refused. So slow clients hold
// at most that many workers, each for at most the deadline.
#pragma once
#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace attnscope::serve {

struct HttpGuardLimits {
  size_t max_request_bytes = 64 * 1024;  // request line + headers (+ the API's empty body)
  std::chrono::milliseconds request_time{10000};
  std::chrono::milliseconds slow_after{1000};  // a browser's header arrives in microseconds
  int max_slow_per_client = 16;               // of the viewer's 64 workers
};

class GuardedHttpServer : public httplib::Server {
 public:
  explicit GuardedHttpServer(HttpGuardLimits limits = {}) : limits_(limits) {}
  const HttpGuardLimits& limits() const { return limits_; }

 private:
  // Called by httplib's accept loop on a worker for each accepted connection (it closes `sock`).
  bool process_and_close_socket(socket_t sock) override;
  bool enter_slow(const std::string& client);
  void leave_slow(const std::string& client);

  HttpGuardLimits limits_;
  std::mutex mutex_;
  std::map<std::string, int> slow_;  // slow requests in progress per client address
};

}  // namespace attnscope::serve
