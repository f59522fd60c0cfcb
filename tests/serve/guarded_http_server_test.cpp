// serve::GuardedHttpServer (issue 17 item 10): a request's header bytes are bounded, a client that
// trickles its header is closed at the request deadline, and one client address holds at most
// max_connections_per_client connections — so slowly-fed connections cannot keep the workers.
#include "attnscope/serve/guarded_http_server.h"

#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "attnscope/serve/server.h"
#include "fixture_trace.h"

using namespace attnscope;
using Clock = std::chrono::steady_clock;

namespace {

struct Guarded {
  explicit Guarded(serve::HttpGuardLimits limits) : http(limits) {
    http.Get("/ok", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
    port = http.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { http.listen_after_bind(); });
    for (int i = 0; i < 500 && !http.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~Guarded() {
    http.stop();
    thread.join();
  }
  serve::GuardedHttpServer http;
  int port = 0;
  std::thread thread;
};

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  return fd;
}

void send_all(int fd, const std::string& s) {
  for (size_t off = 0; off < s.size();) {
    const ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;  // the server may close mid-way: what it answered is read next
    off += static_cast<size_t>(n);
  }
}

// What the server sends until it closes (or `timeout` passes): "" when it closed silently.
std::string read_until_closed(int fd, std::chrono::milliseconds timeout) {
  std::string out;
  const auto end = Clock::now() + timeout;
  char buf[4096];
  while (Clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string get_ok(int port) {
  const int fd = connect_to(port);
  send_all(fd, "GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  std::string r = read_until_closed(fd, std::chrono::milliseconds(3000));
  ::close(fd);
  return r;
}

}  // namespace

// 50 MB of headers were accepted: httplib 0.11.4 bounds a header line (8 KB) but not their total
// (and the server's 100-header check runs after all were read). 12 lines of 7 KB: 400, closed.
TEST(GuardedHttpServer, HeaderBytesAreBounded) {
  Guarded g({});
  const int fd = connect_to(g.port);
  std::string req = "GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 0; i < 12; ++i) req += "X-Big-" + std::to_string(i) + ": " + std::string(7000, 'a') + "\r\n";
  req += "\r\n";
  const auto t0 = Clock::now();
  send_all(fd, req);
  const std::string r = read_until_closed(fd, std::chrono::milliseconds(3000));
  ::close(fd);
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 2.0);
  EXPECT_EQ(r.rfind("HTTP/1.1 400", 0), 0u) << r.substr(0, 200);
  EXPECT_NE(get_ok(g.port).find("HTTP/1.1 200"), std::string::npos);  // and it keeps answering
  // Under the budget is a normal request.
  const int fd2 = connect_to(g.port);
  req = "GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (int i = 0; i < 8; ++i) req += "X-Big-" + std::to_string(i) + ": " + std::string(7000, 'a') + "\r\n";
  send_all(fd2, req + "\r\n");
  EXPECT_NE(read_until_closed(fd2, std::chrono::milliseconds(3000)).find("HTTP/1.1 200"), std::string::npos);
  ::close(fd2);
}

// One header byte every 100 ms restarts httplib's read timeout forever; the request deadline ends it.
TEST(GuardedHttpServer, TricklingClientIsClosedAtTheRequestDeadline) {
  serve::HttpGuardLimits limits;
  limits.request_time = std::chrono::milliseconds(600);
  Guarded g(limits);
  const int fd = connect_to(g.port);
  const std::string req = "GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  const auto t0 = Clock::now();
  bool closed = false;
  for (char c : req) {
    if (::send(fd, &c, 1, MSG_NOSIGNAL) <= 0) {
      closed = true;
      break;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {  // an answer (a 400) or the close: the server gave up on it
      closed = true;
      break;
    }
  }
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  ::close(fd);
  EXPECT_TRUE(closed) << "still open after " << secs << " s";
  EXPECT_LT(secs, 2.5);
}

// Slow requests per client address are capped (the 4th is closed once it turns slow) while quick
// requests from the same address — loopback clients all share 127.0.0.1 — are still answered.
TEST(GuardedHttpServer, SlowRequestsPerClientAreCappedQuickOnesNot) {
  serve::HttpGuardLimits limits;
  limits.slow_after = std::chrono::milliseconds(100);
  limits.max_slow_per_client = 3;
  Guarded g(limits);
  std::vector<int> slow;
  for (int i = 0; i < 4; ++i) {
    slow.push_back(connect_to(g.port));
    send_all(slow.back(), "GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");  // a request begun
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  int open = 0;
  for (int fd : slow) send_all(fd, "a");  // a byte each: still a request in progress
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int fd : slow) {
    pollfd p{fd, POLLIN, 0};
    open += ::poll(&p, 1, 0) == 0;  // nothing to read: neither answered nor closed
  }
  EXPECT_EQ(open, 3);
  for (int i = 0; i < 5; ++i) EXPECT_NE(get_ok(g.port).find("HTTP/1.1 200"), std::string::npos);
  for (int fd : slow) ::close(fd);
}
