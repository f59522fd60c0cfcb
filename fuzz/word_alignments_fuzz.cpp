// libFuzzer target: the Pharaoh word-alignment parser on arbitrary bytes; the first byte picks
// the index base. Invariant checked: every parsed index is in [0, kMaxAlignmentIndex].
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "attnscope/core/error.h"
#include "attnscope/io/word_alignments.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    for (const auto& s : attnscope::io::parse_word_alignments(bytes, data[0] & 1, "fuzz.gold"))
      for (const auto* links : {&s.sure, &s.possible})
        for (const auto& [a, b] : *links)
          if (a < 0 || b < 0 || a > attnscope::io::kMaxAlignmentIndex || b > attnscope::io::kMaxAlignmentIndex) std::abort();
  } catch (const attnscope::Error&) {
  }
  return 0;
}
