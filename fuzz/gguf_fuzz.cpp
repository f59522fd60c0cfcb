// libFuzzer target: GGUF parsing, typed metadata access, tensor reads and tokenizer construction
// from arbitrary bytes. Only attnscope::Error may escape the library; anything else (a crash, a
// sanitizer report, another exception type) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "attnscope/core/error.h"
#include "attnscope/io/gguf.h"
#include "attnscope/models/gguf_tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto f = attnscope::io::GgufFile::from_bytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz.gguf");
    for (const auto& t : f.tensors()) {
      try {
        f.read_f32(t.name);
      } catch (const attnscope::Error&) {
      }
    }
    for (const auto& [key, value] : f.metadata()) {
      try {
        (void)f.get_int(key);
      } catch (const attnscope::Error&) {
      }
    }
    auto tok = attnscope::models::tokenizer_from_gguf(f);
    const auto ids = tok->encode("Hello wörld 🦙 <s> [SEP] 333", true, true);
    (void)tok->decode(ids, true);
  } catch (const attnscope::Error&) {
  }
  return 0;
}
