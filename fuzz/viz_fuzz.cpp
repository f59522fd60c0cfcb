// libFuzzer target: the pictures never crash on what a file can hold. The bytes are read as a
// trace file; a trace that parses is drawn (heatmap, and the animation's first and last frames)
// in memory. The same bytes are also decoded as an image (the trace image path is untrusted).
#include <cstddef>
#include <cstdint>
#include <string>

#include "attnscope/core/error.h"
#include "attnscope/focus/attention_map.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/viz/heatmap.h"
#include "attnscope/data/image.h"
#include "attnscope/viz/image_overlay.h"
#include "attnscope/viz/token_animation.h"

using namespace attnscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const auto f = io::SafetensorsFile::from_bytes(bytes, "fuzz.attn.safetensors");
    const io::Trace t = io::parse_trace(f);
    if (!t.layers.empty() && t.layers[0].keep != io::TraceKeep::stats &&
        t.layers[0].queries * t.layers[0].keys <= (int64_t{1} << 20)) {
      const io::TraceLayer& L = t.layers[0];
      viz::HeatmapOptions ho;
      ho.budget = 64;
      viz::Heatmap hm(L, focus::kHeadMean, focus::query_labels(t, L), focus::key_labels(t, L), ho);
      if (hm.width() <= 4096 && hm.height() <= 4096) {
        viz::Frame fr(hm.width(), hm.height());
        fr.paint([&](cairo_t* cr) { hm.draw(cr, 0, 0); });
      }
      viz::AnimationOptions ao;
      ao.width = 200;
      ao.height = 150;
      viz::TokenAnimation anim(t, 0, 0, ao);
      viz::Frame fr(200, 150);
      fr.paint([&](cairo_t* cr) { anim.draw(cr, 0); });
      fr.paint([&](cairo_t* cr) { anim.draw(cr, double(anim.steps()) - 0.5); });
    }
  } catch (const Error&) {
  }
  try {
    (void)data::decode_image(bytes, "fuzz");
  } catch (const Error&) {
  }
  return 0;
}
