#include "attnscope/core/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <exception>

namespace attnscope {

std::string format_duration(double s) {
  if (s < 0 || s != s) return "?";
  if (s < 60) return fmt::format("{:.1f}s", s);
  const long t = static_cast<long>(s + 0.5);
  if (t < 3600) return fmt::format("{}m{:02}s", t / 60, t % 60);
  return fmt::format("{}h{:02}m", t / 3600, (t % 3600) / 60);
}

Progress::Progress(std::string label, int64_t total, bool quiet)
    : label_(std::move(label)),
      total_(total),
      quiet_(quiet),
      tty_(isatty(STDERR_FILENO) != 0),
      exceptions_(std::uncaught_exceptions()) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

Progress::~Progress() {
  if (finished_) return;
  // Unwound by an error: no "done" line above the error's own one; a terminal's bar is wiped.
  if (std::uncaught_exceptions() > exceptions_) {
    if (tty_ && !quiet_) std::fprintf(stderr, "\r\033[K");
    return;
  }
  finish();
}

void Progress::tick(int64_t n) {
  done_ += n;
  if (quiet_) return;
  const auto now = std::chrono::steady_clock::now();
  if (tty_) {
    if (now - last_draw_ < std::chrono::milliseconds(100) && done_ != total_) return;
    last_draw_ = now;
    draw(false);
  } else if (total_ > 0) {
    const int decile = static_cast<int>(10 * done_ / total_);
    if (decile != last_decile_ && decile < 10) {
      last_decile_ = decile;
      draw(false);
    }
  } else if (now - last_draw_ > std::chrono::seconds(10)) {
    last_draw_ = now;
    draw(false);
  }
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (!quiet_) draw(true);
}

void Progress::draw(bool final) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? done_ / elapsed : 0;
  std::string line = label_ + " ";
  if (total_ > 0) {
    const double frac = std::min(1.0, static_cast<double>(done_) / total_);
    if (tty_) {
      constexpr int kWidth = 28;
      const int fill = static_cast<int>(frac * kWidth);
      line += "[" + std::string(fill, '#') + std::string(kWidth - fill, '.') + "] ";
    }
    line += fmt::format("{}/{} {:3.0f}% {:.1f} it/s", done_, total_, 100 * frac, rate);
    if (final)
      line += " in " + format_duration(elapsed);
    else
      line += " eta " + format_duration(rate > 0 ? (total_ - done_) / rate : -1);
  } else {
    line += fmt::format("{} {:.1f} it/s {}", done_, rate, format_duration(elapsed));
  }
  if (!status_.empty()) line += " " + status_;
  if (tty_)
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final ? "\n" : "");
  else
    std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace attnscope
