#include "attnscope/serve/guarded_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>

namespace attnscope::serve {
namespace {

using Clock = std::chrono::steady_clock;

bool wait_for(int sock, short events, std::chrono::milliseconds timeout) {
  pollfd p{sock, events, 0};
  const int ms = static_cast<int>(std::max<int64_t>(0, timeout.count()));
  int r;
  while ((r = ::poll(&p, 1, ms)) < 0 && errno == EINTR) {
  }
  return r > 0 && (p.revents & (events | POLLHUP | POLLERR));
}

void address_of(int sock, bool peer, std::string& ip, int& port) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  ip.clear();
  port = 0;
  if ((peer ? ::getpeername(sock, reinterpret_cast<sockaddr*>(&a), &len)
            : ::getsockname(sock, reinterpret_cast<sockaddr*>(&a), &len)) != 0)
    return;
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET) {
    const auto* s = reinterpret_cast<const sockaddr_in*>(&a);
    ::inet_ntop(AF_INET, &s->sin_addr, buf, sizeof buf);
    port = ntohs(s->sin_port);
  } else if (a.ss_family == AF_INET6) {
    const auto* s = reinterpret_cast<const sockaddr_in6*>(&a);
    ::inet_ntop(AF_INET6, &s->sin6_addr, buf, sizeof buf);
    port = ntohs(s->sin6_port);
  }
  ip = buf;
}

// The connection as httplib reads and writes it, with the per-request byte budget and deadline.
// A request starts at its first byte read; the response (a write) ends it.
class GuardedStream final : public httplib::Stream {
 public:
  // slow(true) when a request turns slow (false: refused), slow(false) when a slow one ends.
  GuardedStream(int sock, const HttpGuardLimits& limits, std::chrono::milliseconds read_timeout,
                std::chrono::milliseconds write_timeout, std::function<bool(bool)> slow)
      : sock_(sock), limits_(limits), read_timeout_(read_timeout), write_timeout_(write_timeout), slow_(std::move(slow)) {}
  ~GuardedStream() override { end_request(); }

  bool is_readable() const override { return pos_ < len_ || wait_for(sock_, POLLIN, read_timeout_); }
  bool is_writable() const override { return wait_for(sock_, POLLOUT, write_timeout_); }

  ssize_t read(char* ptr, size_t size) override {
    // Over budget or past the deadline: httplib answers 400 to a header it cannot finish, and the
    // connection ends there (what follows on it is the rest of the oversized request).
    if (failed_ || used_ >= limits_.max_request_bytes) return failed_ = true, -1;
    if (pos_ == len_) {
      if (!in_request_) {
        in_request_ = true;
        start_ = Clock::now();
        deadline_ = start_ + limits_.request_time;
      }
      for (;;) {
        const auto now = Clock::now();
        if (!counted_slow_ && now - start_ >= limits_.slow_after) {
          if (!slow_(true)) return failed_ = true, -1;  // this address has enough slow requests
          counted_slow_ = true;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - now);
        if (left.count() <= 0) return failed_ = true, -1;
        // Wait no longer than the deadline, nor (uncounted) past the moment the request turns slow.
        const auto to_slow = std::chrono::duration_cast<std::chrono::milliseconds>(start_ + limits_.slow_after - now);
        const bool cut = !counted_slow_ && to_slow < std::min(left, read_timeout_);
        const auto wait = cut ? std::max(std::chrono::milliseconds(1), to_slow) : std::min(left, read_timeout_);
        if (wait_for(sock_, POLLIN, wait)) break;
        if (!cut) return failed_ = true, -1;  // the read timeout or the deadline
      }
      ssize_t n;
      while ((n = ::recv(sock_, buf_, sizeof buf_, 0)) < 0 && errno == EINTR) {
      }
      if (n <= 0) return n;
      pos_ = 0;
      len_ = static_cast<size_t>(n);
    }
    const size_t n = std::min({size, len_ - pos_, limits_.max_request_bytes - used_});
    std::memcpy(ptr, buf_ + pos_, n);
    pos_ += n;
    used_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    end_request();  // answering: the next byte read starts the next request
    if (!is_writable()) return -1;
    ssize_t n;
    while ((n = ::send(sock_, ptr, size, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
    }
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { address_of(sock_, true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address_of(sock_, false, ip, port); }
  socket_t socket() const override { return sock_; }

  // Bytes received but not yet read: a pipelined next request.
  bool has_buffered() const { return pos_ < len_; }
  bool failed() const { return failed_; }

 private:
  void end_request() {
    if (counted_slow_) slow_(false);
    counted_slow_ = in_request_ = false;
    used_ = 0;
  }

 public:

 private:
  int sock_;
  const HttpGuardLimits& limits_;
  std::chrono::milliseconds read_timeout_, write_timeout_;
  char buf_[4096];
  size_t pos_ = 0, len_ = 0, used_ = 0;
  std::function<bool(bool)> slow_;
  bool in_request_ = false, failed_ = false, counted_slow_ = false;
  Clock::time_point start_, deadline_;
};

}  // namespace

bool GuardedHttpServer::enter_slow(const std::string& client) {
  std::lock_guard<std::mutex> lock(mutex_);
  int& n = slow_[client];
  if (n >= limits_.max_slow_per_client) return false;
  ++n;
  return true;
}

void GuardedHttpServer::leave_slow(const std::string& client) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (--slow_[client] <= 0) slow_.erase(client);
}

// httplib's own loop (detail::process_server_socket) with GuardedStream: requests on one
// kept-alive connection until the client goes quiet for the keep-alive timeout, the count is used
// up, a request fails, or the server stops.
bool GuardedHttpServer::process_and_close_socket(socket_t sock) {
  std::string client;
  int port = 0;
  address_of(sock, true, client, port);
  bool ret = false;
  {
    using std::chrono::milliseconds;
    using std::chrono::seconds;
    const auto read_timeout = std::chrono::duration_cast<milliseconds>(seconds(read_timeout_sec_)) +
                              milliseconds(read_timeout_usec_ / 1000);
    const auto write_timeout = std::chrono::duration_cast<milliseconds>(seconds(write_timeout_sec_)) +
                               milliseconds(write_timeout_usec_ / 1000);
    GuardedStream strm(sock, limits_, read_timeout, write_timeout,
                       [&](bool begins) { return begins ? enter_slow(client) : (leave_slow(client), true); });
    for (size_t count = keep_alive_max_count_; count > 0 && svr_sock_ != INVALID_SOCKET; --count) {
      if (!strm.has_buffered() && !wait_for(sock, POLLIN, std::chrono::duration_cast<milliseconds>(
                                                              seconds(keep_alive_timeout_sec_))))
        break;
      bool closed = false;
      ret = process_request(strm, count == 1, closed, nullptr);
      if (!ret || closed || strm.failed()) break;
    }
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

}  // namespace attnscope::serve
