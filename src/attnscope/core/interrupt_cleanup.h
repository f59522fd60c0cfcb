// Files that must not outlive an interrupted process: the temporary file of every atomic write
// (core/fs.h) and outputs that are only valid complete (the frames of a PNG sequence before its
// frames.json, and the directory made for them: a directory is removed once empty). On SIGINT, SIGTERM or SIGHUP a handler removes the registered files, then
// re-raises the signal with its default action, so the exit status still says which signal
// ended the process. Signals the process ignores (nohup) stay ignored.
// The handler is async-signal-safe: it only walks a list of nodes that are never freed (a freed
// registration's node is reused by the next one) and calls unlink(2).
#pragma once
#include <string>

namespace attnscope {

class RemoveOnInterrupt {
 public:
  RemoveOnInterrupt() = default;
  // Registers `path` (installs the handlers on first use).
  explicit RemoveOnInterrupt(const std::string& path);
  ~RemoveOnInterrupt() { release(); }
  RemoveOnInterrupt(RemoveOnInterrupt&& o) noexcept : node_(o.node_) { o.node_ = nullptr; }
  RemoveOnInterrupt& operator=(RemoveOnInterrupt&& o) noexcept;
  RemoveOnInterrupt(const RemoveOnInterrupt&) = delete;
  RemoveOnInterrupt& operator=(const RemoveOnInterrupt&) = delete;
  // Unregisters without removing the file (it is complete, or already renamed or removed).
  void release();

 private:
  struct Node* node_ = nullptr;
};

}  // namespace attnscope
