#include "attnscope/serve/server.h"

#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "attnscope/core/error.h"
#include "fixture_trace.h"
#include "test_util.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

// A server on a free port, run on a thread for the test's lifetime.
struct Running {
  explicit Running(serve::ServerOptions o = {})
      : server(std::make_shared<const serve::TraceSource>(test::make_trace(2, 2, 8)), std::move(o)) {
    port = server.bind();
    thread = std::thread([this] { server.run(); });
    for (int i = 0; i < 500 && !server.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~Running() {
    server.stop();
    thread.join();
  }
  httplib::Client client() const { return httplib::Client("127.0.0.1", port); }
  serve::Server server;
  int port = 0;
  std::thread thread;
};

}  // namespace

TEST(Server, ServesThePageAndTheApiOnLoopback) {
  Running s;
  EXPECT_EQ(s.server.url(), "http://127.0.0.1:" + std::to_string(s.port) + "/");
  auto c = s.client();
  auto r = c.Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("<title>attnscope"), std::string::npos);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  r = c.Get("/api/meta");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(nlohmann::json::parse(r->body)["layers"].size(), 2u);
  r = c.Get("/api/row?layer=1&head=mean&q=7");
  ASSERT_TRUE(r);
  EXPECT_EQ(test::decode_block(r->body).floats("values").size(), 8u);
}

TEST(Server, NeverServesFilesOutsideItsAssets) {
  Running s;
  auto c = s.client();
  for (const char* path : {"/../CMakeLists.txt", "/..%2fCMakeLists.txt", "/%2e%2e/%2e%2e/etc/passwd",
                           "/views/../../etc/passwd", "/etc/passwd", "//etc/passwd", "/.git/config",
                           "/index.html%00.js", "/CMakeLists.txt"}) {
    auto r = c.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_EQ(r->body.find("cmake_minimum_required"), std::string::npos) << path;
    EXPECT_EQ(r->body.find("root:"), std::string::npos) << path;
    EXPECT_NE(r->body.find("\"error\""), std::string::npos) << path;
  }
}

TEST(Server, RefusesHugeAndWrongRequestsWith4xx) {
  Running s;
  auto c = s.client();
  auto r = c.Get(("/api/meta?x=" + std::string(20000, 'a')).c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 414);
  r = c.Post("/api/meta", std::string(100000, 'x'), "text/plain");
  ASSERT_TRUE(r);
  EXPECT_GE(r->status, 400);
  EXPECT_LT(r->status, 500);
  r = c.Get("/api/edges?layer=0&head=0&q0=0&q1=8&k=100000000");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  r = c.Get("/api/tile?layer=0&head=9&level=0&ty=0&tx=0");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("head 9 out of range"), std::string::npos);
  // still serving after all that
  r = c.Get("/api/meta");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

// Issue 17 item 1: 2,700 byte ranges in one header made httplib build a multipart body of
// ranges x response size (34 GB for a large response). Range is ignored: one plain body.
TEST(Server, ManyByteRangesGetOnePlainBody) {
  Running s;
  auto c = s.client();
  auto plain = c.Get("/");
  ASSERT_TRUE(plain);
  std::string ranges = "bytes=0-0";
  for (int i = 1; i < 900; ++i) ranges += "," + std::to_string(i) + "-" + std::to_string(i + 4000);
  auto r = c.Get("/", {{"Range", ranges}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.size(), plain->body.size());
  // Too many headers: 431, and the server keeps serving.
  httplib::Headers many;
  for (int i = 0; i < 150; ++i) many.emplace("X-H" + std::to_string(i), "v");
  r = c.Get("/api/meta", many);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  r = c.Get("/api/meta");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

// Issue 17 item 10: 8 slowly-fed connections (a byte every second, never a full request) held
// every worker; now the page still answers while they are open.
TEST(Server, SlowClientsDoNotBlockOthers) {
  Running s;
  std::vector<int> slow;
  for (int i = 0; i < 12; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(s.port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    const char* partial = "GET /api/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    ASSERT_GT(::send(fd, partial, std::strlen(partial), 0), 0);
    slow.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto c = s.client();
  c.set_read_timeout(3, 0);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = c.Get("/api/meta");
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_LT(secs, 2.0);
  for (int fd : slow) ::close(fd);
}

TEST(Server, AnswersOnlyItsOwnHostNames) {
  Running s;
  auto c = s.client();
  auto r = c.Get("/api/meta", {{"Host", "attacker.example:" + std::to_string(s.port)}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("unexpected Host header"), std::string::npos);
  r = c.Get("/api/meta", {{"Host", "localhost:" + std::to_string(s.port)}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(Server, WebRootServesFromDiskButNotThroughSymlinks) {
  const fs::path dir = fs::path(ATTNSCOPE_BINARY_DIR) / "serve_test_webroot";
  fs::remove_all(dir);
  fs::create_directories(dir / "views");
  std::ofstream(dir / "index.html") << "<title>from disk</title>";
  std::ofstream(dir / "views" / "a.js") << "export const a = 1;";
  std::ofstream(dir / "secret.txt") << "no";
  fs::create_symlink(fs::path(ATTNSCOPE_SOURCE_DIR) / "CMakeLists.txt", dir / "views" / "leak.js");
  serve::ServerOptions o;
  o.web_root = dir.string();
  Running s(o);
  auto c = s.client();
  auto r = c.Get("/");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("from disk"), std::string::npos);
  r = c.Get("/views/a.js");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  for (const char* path : {"/views/leak.js", "/secret.txt", "/views/../secret.txt"}) {
    r = c.Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << path;
  }
  fs::remove_all(dir);
}

TEST(Server, BusyPortIsAClearError) {
  Running s;
  serve::ServerOptions o;
  o.port = s.port;
  serve::Server other(std::make_shared<const serve::TraceSource>(test::make_trace(1, 1, 2)), o);
  try {
    other.bind();
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen on 127.0.0.1:" + std::to_string(s.port)), std::string::npos);
  }
}

TEST(Assets, SafePathCheck) {
  using serve::is_safe_asset_path;
  EXPECT_TRUE(is_safe_asset_path("/"));
  EXPECT_TRUE(is_safe_asset_path("/views/head.js"));
  EXPECT_FALSE(is_safe_asset_path("/views/../x.js"));
  EXPECT_FALSE(is_safe_asset_path("/./x.js"));
  EXPECT_FALSE(is_safe_asset_path("//x.js"));
  EXPECT_FALSE(is_safe_asset_path("/a\\..\\x.js"));
  EXPECT_FALSE(is_safe_asset_path(std::string_view("/a\0b.js", 7)));
  EXPECT_FALSE(is_safe_asset_path("x.js"));
  EXPECT_FALSE(is_safe_asset_path("/.hidden.js"));
}
