// libFuzzer target: caption files (a user's own photo data) on arbitrary bytes; the first byte's
// low bit picks COCO JSON, else the layout the first line tells (CSV, Flickr's tab or pipe
// lines). Only attnscope::Error may escape. Invariants: every image has a name that stays in the
// data folder and at least one caption, every caption at least one non-empty word.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "attnscope/core/error.h"
#include "attnscope/data/caption_corpus.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    const auto c = attnscope::data::parse_caption_text(text, "fuzz", data[0] & 1);
    for (const auto& im : c.images) {
      const std::filesystem::path p(im.name);
      if (im.name.empty() || p.is_absolute() || im.captions.empty()) std::abort();
      for (const auto& part : p)
        if (part == "..") std::abort();
      for (const auto& words : im.captions) {
        if (words.empty()) std::abort();
        for (const auto& w : words)
          if (w.empty()) std::abort();
      }
    }
  } catch (const attnscope::Error&) {
  }
  return 0;
}
