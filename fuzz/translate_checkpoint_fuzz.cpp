// libFuzzer target: translation checkpoints on arbitrary bytes. Beyond the nn checkpoint layer
// (fuzz_checkpoint) this feeds what translation adds: the {"kind", "model", "codec"} config,
// the codec's tokenization modes and vocabularies, the RNN / Transformer configs (including the
// parameter-count bound that keeps a hostile config from allocating gigabytes), and the
// name/shape validation against the model they build; what loads is used to translate a word.
// Malformed input must end in an attnscope::Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "attnscope/core/error.h"
#include "attnscope/io/safetensors.h"
#include "attnscope/models/translate/translator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace attnscope;
  try {
    const auto f = io::SafetensorsFile::from_bytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    models::Translator t = models::Translator::load(f, "fuzz");
    models::DecodeOptions opt;
    opt.max_len = 4;
    t.translate({"3 avril 1999"}, opt);
  } catch (const Error&) {
  }
  return 0;
}
