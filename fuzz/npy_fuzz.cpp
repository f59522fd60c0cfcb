// libFuzzer target: .npy and .npz (zip + inflate) parsers on arbitrary bytes. The first byte
// picks the parser so one corpus exercises both.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "attnscope/core/error.h"
#include "attnscope/io/npy.h"
#include "attnscope/io/npz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    if (data[0] & 1) {
      const auto a = attnscope::io::parse_npy(bytes, "fuzz.npy");
      if (a.data.size() <= (1u << 20)) (void)a.to_f32();
    } else {
      for (const auto& [name, a] : attnscope::io::parse_npz(bytes, "fuzz.npz"))
        if (a.data.size() <= (1u << 20)) (void)a.to_f32();
    }
  } catch (const attnscope::Error&) {
  }
  return 0;
}
