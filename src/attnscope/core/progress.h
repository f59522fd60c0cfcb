// Progress for long loops: a bar with rate and ETA on a terminal, periodic plain lines
// ("train 1200/5000 24% 310.2 it/s eta 12s loss=0.41") when stderr is not a terminal.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace attnscope {

class Progress {
 public:
  // total = 0: unknown length (no percentage or ETA). quiet: print nothing.
  Progress(std::string label, int64_t total, bool quiet = false);
  ~Progress();
  // Advances by n and redraws at most ~10 times a second (plain mode: every ~10%).
  void tick(int64_t n = 1);
  // Extra text shown after the bar, e.g. "loss=0.412".
  void set_status(std::string status) { status_ = std::move(status); }
  // Prints the final line; called by the destructor if not called before (unless an exception is
  // unwinding: a failed job prints its error, not a "done" line).
  void finish();

 private:
  void draw(bool final);
  std::string label_, status_;
  int64_t total_, done_ = 0;
  bool quiet_, tty_, finished_ = false;
  int last_decile_ = -1;
  int exceptions_;  // std::uncaught_exceptions() when made
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// "1h02m", "3m05s", "12.4s": for ETAs and durations.
std::string format_duration(double seconds);

}  // namespace attnscope
