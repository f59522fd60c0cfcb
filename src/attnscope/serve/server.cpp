#include "attnscope/serve/server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/serve/guarded_http_server.h"

namespace attnscope::serve {
namespace {

constexpr size_t kWorkers = 64;      // request threads (idle ones cost only their stacks)
constexpr size_t kMaxHeaders = 100;  // a browser sends about 15

void send_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  // The message may quote the request's bytes (a path that is not UTF-8): replaced, not thrown.
  res.set_content(nlohmann::json{{"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

}  // namespace

Server::Server(std::shared_ptr<const TraceSource> source, ServerOptions options)
    : options_(std::move(options)),
      api_(std::move(source)),
      assets_(options_.web_root),
      http_(std::make_unique<GuardedHttpServer>()) {
  routes();
}

Server::~Server() { stop(); }

void Server::routes() {
  auto& s = *http_;
  // httplib's default sets SO_REUSEPORT, which would let a second viewer share the port and
  // split requests between two traces: keep only SO_REUSEADDR (quick restarts).
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  s.set_payload_max_length(4096);  // the API takes no bodies
  // Slow clients: a connection that sends nothing for 5 s is closed; one that trickles its header
  // is closed 10 s after its request began, and one client address holds at most 32 connections
  // (GuardedHttpServer), so slowly-fed connections (slowloris) cannot keep the 64 workers.
  s.set_read_timeout(5, 0);
  s.set_keep_alive_timeout(5);
  s.set_keep_alive_max_count(1000);
  s.new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
  // Small responses on kept-alive connections waited 40 ms for the delayed ACK (Nagle).
  s.set_tcp_nodelay(true);
  // DNS rebinding: a web page whose name resolves to 127.0.0.1 could otherwise read the trace.
  // Only requests addressed to the loopback names of our own port are answered.
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    // Range requests: httplib answers N ranges with N copies of the body (2,700 ranges of a
    // 13 MB response = 34 GB). The viewer never needs partial content, so Range is ignored:
    // the request object is httplib's own (non-const) one.
    const_cast<httplib::Request&>(req).ranges.clear();
    if (req.headers.size() > kMaxHeaders) {
      send_error(res, 431, "too many request headers (" + std::to_string(req.headers.size()) + ")");
      return httplib::Server::HandlerResponse::Handled;
    }
    const std::string host = req.get_header_value("Host"), port = ":" + std::to_string(port_);
    for (const char* name : {"127.0.0.1", "localhost", "[::1]"})
      if (host == name + port || host == name) return httplib::Server::HandlerResponse::Unhandled;
    send_error(res, 403, "unexpected Host header '" + host + "'; open " + url());
    return httplib::Server::HandlerResponse::Handled;
  });
  s.Get(R"(/api/.*)", [this](const httplib::Request& req, httplib::Response& res) {
    std::map<std::string, std::string> params;
    for (const auto& [k, v] : req.params) params.emplace(k, v);  // first value wins
    ApiResponse r;
    try {
      r = api_.handle(req.path, params);
    } catch (const Error& e) {  // e.g. a path that is not UTF-8: the client's fault
      return send_error(res, 400, e.what());
    }
    res.status = r.status;
    res.set_header("Cache-Control", "no-store");
    res.set_content(std::move(r.body), r.content_type.c_str());
  });
  s.Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
    auto asset = assets_.get(req.path);
    if (!asset) return send_error(res, 404, "not found: " + req.path);
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_content(std::move(asset->data), asset->content_type.c_str());
  });
  auto refuse = [](const httplib::Request& req, httplib::Response& res) {
    send_error(res, 405, "method " + req.method + " not allowed; the viewer is read-only");
  };
  s.Post(R"(.*)", refuse);
  s.Put(R"(.*)", refuse);
  s.Delete(R"(.*)", refuse);
  s.Patch(R"(.*)", refuse);
  // httplib's own refusals (414 long URL, 413 body, 400 malformed, unmatched) get a JSON body.
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty())
      res.set_content(nlohmann::json{{"error", "HTTP " + std::to_string(res.status)}}.dump(),
                      "application/json");
  });
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "internal error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    send_error(res, 500, what);
  });
}

int Server::bind() {
  if (options_.port == 0) {
    port_ = http_->bind_to_any_port(options_.host);
  } else {
    port_ = http_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  ATTNSCOPE_CHECK(port_ > 0, IoError,
                  "cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                      " (port in use or not permitted)");
  return port_;
}

void Server::run() {
  ATTNSCOPE_CHECK(port_ > 0, IoError, "Server::run before bind");
  http_->listen_after_bind();
}

void Server::stop() {
  if (http_) http_->stop();
}

bool Server::is_running() const { return http_->is_running(); }

std::string Server::url() const {
  return "http://" + options_.host + ":" + std::to_string(port_) + "/";
}

}  // namespace attnscope::serve
