// GuardedHttpServer: cpp-httplib's server with its connection loop replaced by one that a slow or
// greedy client cannot hold. Debian's httplib 0.11.4 (a compiled library, its CPPHTTPLIB_* limits
// fixed at its build) reads a request's header byte by byte with no total bound and restarts the
// read timeout at every byte, so a client sending one header byte a second (slowloris) keeps a
// worker forever, and 50 MB of headers were accepted. Here each request has:
//   - a byte budget for its request line and headers (kMaxRequestBytes; more: HTTP 400, closed),
//   - a deadline from its first byte to its last (kRequestSeconds; later: the connection closes),
// and each client address at most kMaxConnectionsPerClient connections at once (more get 503
// at once), so the worker pool always frees up within the deadline.
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
  int max_connections_per_client = 32;
};

class GuardedHttpServer : public httplib::Server {
 public:
  explicit GuardedHttpServer(HttpGuardLimits limits = {}) : limits_(limits) {}
  const HttpGuardLimits& limits() const { return limits_; }

 private:
  // Called by httplib's accept loop on a worker for each accepted connection (it closes `sock`).
  bool process_and_close_socket(socket_t sock) override;
  bool enter(const std::string& client);
  void leave(const std::string& client);

  HttpGuardLimits limits_;
  std::mutex mutex_;
  std::map<std::string, int> connections_;  // open connections per client address
};

}  // namespace attnscope::serve
