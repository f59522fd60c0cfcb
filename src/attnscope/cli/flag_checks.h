// Numeric flag checks for every verb, with messages a user reads in one line:
//   --query: must be >= 0, got -1          (CLI11's NonNegativeNumber printed 1.8e308 in full)
//   --top: must be >= 1, got 0             (its PositiveNumber said "0 not in range 0 to ...")
//   --size: expected a number, got '100000x100000'
// Bounds print as integers when they are whole, so ranges read "16..16000", "0..1".
#pragma once
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace attnscope::cli {

inline std::string bound_text(double v) {
  char b[40];
  if (std::floor(v) == v && std::fabs(v) < 1e15) std::snprintf(b, sizeof b, "%lld", static_cast<long long>(v));
  else std::snprintf(b, sizeof b, "%g", v);
  return b;
}

// lo <= value <= hi (either side open when infinite); `what` names the rule in messages.
inline CLI::Validator number_check(double lo, double hi, bool lo_open, std::string what) {
  return CLI::Validator(
      [lo, hi, lo_open, what](std::string& s) -> std::string {
        size_t used = 0;
        double v = 0;
        try {
          v = std::stod(s, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != s.size() || std::isnan(v)) return "expected a number, got '" + s + "'";
        if (v < lo || v > hi || (lo_open && v == lo)) return "must be " + what + ", got " + s;
        return "";
      },
      what);
}

inline CLI::Validator at_least(double lo) {
  return number_check(lo, std::numeric_limits<double>::infinity(), false, ">= " + bound_text(lo));
}
inline CLI::Validator greater_than(double lo) {
  return number_check(lo, std::numeric_limits<double>::infinity(), true, "> " + bound_text(lo));
}
inline CLI::Validator in_range(double lo, double hi) {
  return number_check(lo, hi, false, "in " + bound_text(lo) + ".." + bound_text(hi));
}

}  // namespace attnscope::cli
