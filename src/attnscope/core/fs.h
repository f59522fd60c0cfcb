// File helpers. Every output of attnscope is written atomically: to a temporary file in the
// same directory, flushed, then renamed over the target, so a crash never leaves half a file;
// the temporary file is removed on an exception and on SIGINT/SIGTERM/SIGHUP
// (core/interrupt_cleanup.h).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

// Reads a whole file; throws IoError naming the path on failure, and for anything but a regular
// file (require_regular_file).
std::string read_file(const std::string& path);
// IoError unless `path` names a regular file (after symlinks), checked without opening it: a
// FIFO nobody writes to would block the open, /dev/zero never end, a directory read as empty.
void require_regular_file(const std::string& path);
// Writes bytes atomically (temp file + rename). Throws IoError.
void write_file_atomic(const std::string& path, std::string_view bytes);
// Atomic write through a callback that receives the temporary path to fill; the callback may
// write it with any library (Cairo, giflib). On exception the temporary file is removed.
void write_atomic_with(const std::string& path, const std::function<void(const std::string& tmp)>& fill);
// Fails before long work, not after it, when an output cannot be written: IoError when the
// parent directory does not exist or the path is a directory, a device, a FIFO or a socket (the
// rename would replace the node itself: as root, `-o /dev/null` would delete /dev/null). `what`
// names the output ("checkpoint", "report"). An empty path passes.
void check_output_path(const std::string& path, const char* what);

}  // namespace attnscope
