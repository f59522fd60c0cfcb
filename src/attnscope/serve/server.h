// The local viewer server: cpp-httplib on 127.0.0.1 (a free port by default), serving the
// embedded page (assets.h) and the API (api.h) over one trace — nothing else. Requests with a
// body, other methods, over-long URLs and unknown paths get a 4xx with a JSON error body.
#pragma once
#include <memory>
#include <string>

#include "attnscope/serve/api.h"
#include "attnscope/serve/assets.h"

namespace httplib { class Server; }

namespace attnscope::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;          // 0: any free port
  std::string web_root;  // empty: embedded assets
};

class Server {
 public:
  Server(std::shared_ptr<const TraceSource> source, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds (throws IoError if the port is taken); returns the bound port.
  int bind();
  // Serves until stop() (blocking). bind() first.
  void run();
  void stop();
  bool is_running() const;
  std::string url() const;

 private:
  void routes();
  ServerOptions options_;
  Api api_;
  AssetStore assets_;
  std::unique_ptr<httplib::Server> http_;
  int port_ = -1;
};

}  // namespace attnscope::serve
