// The sanitizer build runs the suite with ATTNSCOPE_SLOW_TESTS=0: tests that train to a quality bar
// then train briefly and check only that learning happens (and the code paths run under ASan).
#pragma once
#include <cstdlib>
#include <string>

namespace attnscope::train {

inline bool slow_tests() {
  const char* v = std::getenv("ATTNSCOPE_SLOW_TESTS");
  return !v || std::string(v) != "0";
}

}  // namespace attnscope::train
