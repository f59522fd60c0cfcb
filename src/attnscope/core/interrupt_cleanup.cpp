#include "attnscope/core/interrupt_cleanup.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>

namespace attnscope {

// One registered path. Nodes form a push-only list and are never freed, so the handler can walk
// it at any moment; `state` says whether the node holds a live registration.
struct Node {
  enum : int { kFree = 0, kClaimed = 1, kLive = 2 };
  std::atomic<int> state{kFree};
  char* path = nullptr;  // NUL-terminated, capacity `cap`
  size_t cap = 0;
  Node* next = nullptr;
};

namespace {

std::atomic<Node*> g_head{nullptr};
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void remove_registered_and_reraise(int sig) {
  // Files first, then directories (rmdir only succeeds once they are empty).
  for (Node* n = g_head.load(std::memory_order_acquire); n; n = n->next)
    if (n->state.load(std::memory_order_acquire) == Node::kLive) ::unlink(n->path);
  for (Node* n = g_head.load(std::memory_order_acquire); n; n = n->next)
    if (n->state.load(std::memory_order_acquire) == Node::kLive) ::rmdir(n->path);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig : kSignals) {
      struct sigaction old{};
      if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler == SIG_IGN) continue;  // nohup: stay ignored
      if (old.sa_handler != SIG_DFL) continue;  // someone else's handler: leave it
      struct sigaction sa{};
      sa.sa_handler = remove_registered_and_reraise;
      sigemptyset(&sa.sa_mask);
      for (int s : kSignals) sigaddset(&sa.sa_mask, s);  // one cleanup at a time
      ::sigaction(sig, &sa, nullptr);
    }
  });
}

Node* claim(size_t need) {
  for (Node* n = g_head.load(std::memory_order_acquire); n; n = n->next) {
    int expected = Node::kFree;
    if (n->cap >= need && n->state.compare_exchange_strong(expected, Node::kClaimed)) return n;
  }
  Node* n = new Node;  // never freed: the handler may be reading the list
  n->path = new char[need];
  n->cap = need;
  n->state.store(Node::kClaimed);
  n->next = g_head.load(std::memory_order_relaxed);
  while (!g_head.compare_exchange_weak(n->next, n, std::memory_order_release, std::memory_order_relaxed)) {
  }
  return n;
}

}  // namespace

RemoveOnInterrupt::RemoveOnInterrupt(const std::string& path) {
  install_handlers();
  node_ = claim(path.size() + 1);
  std::memcpy(node_->path, path.c_str(), path.size() + 1);
  node_->state.store(Node::kLive, std::memory_order_release);
}

RemoveOnInterrupt& RemoveOnInterrupt::operator=(RemoveOnInterrupt&& o) noexcept {
  if (this != &o) {
    release();
    node_ = o.node_;
    o.node_ = nullptr;
  }
  return *this;
}

void RemoveOnInterrupt::release() {
  if (node_) node_->state.store(Node::kFree, std::memory_order_release);
  node_ = nullptr;
}

}  // namespace attnscope
