// libFuzzer target: trace files (safetensors + the JSON description) on arbitrary bytes, and
// the trace-import tokens JSON. A trace that parses must validate and re-serialize.
#include <cstddef>
#include <cstdint>
#include <string>

#include "attnscope/core/error.h"
#include "attnscope/io/trace_import.h"
#include "attnscope/io/trace_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const auto f = attnscope::io::SafetensorsFile::from_bytes(bytes, "fuzz.attn.safetensors");
    const attnscope::io::Trace t = attnscope::io::parse_trace(f);
    (void)attnscope::io::serialize_trace(t);  // must not throw: parse_trace validated it
  } catch (const attnscope::Error&) {
  }
  try {  // the same bytes as a tokens file for a 1x1x2x2 attention array
    const float w[4] = {0.5f, 0.5f, 1.0f, 0.0f};
    const int64_t shape[4] = {1, 1, 2, 2};
    (void)attnscope::io::trace_from_attention(shape, w, bytes);
  } catch (const attnscope::Error&) {
  }
  return 0;
}
