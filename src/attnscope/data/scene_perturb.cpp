#include "attnscope/data/scene_perturb.h"

#include <algorithm>
#include <cmath>

#include "attnscope/core/error.h"

namespace attnscope::data {

namespace {

// A free square of side s (gap pixels from every object), or false after enough tries.
bool free_square(const Scene& sc, int64_t s, int64_t gap, Rng& rng, SceneBox* out) {
  for (int tries = 0; tries < 200; ++tries) {
    SceneBox b;
    b.x0 = static_cast<int64_t>(rng.below(kSceneSide - s + 1));
    b.y0 = static_cast<int64_t>(rng.below(kSceneSide - s + 1));
    b.x1 = b.x0 + s;
    b.y1 = b.y0 + s;
    bool ok = true;
    for (const auto& o : sc.objects)
      ok = ok && !(b.x0 < o.box.x1 + gap && o.box.x0 < b.x1 + gap && b.y0 < o.box.y1 + gap && o.box.y0 < b.y1 + gap);
    if (ok) {
      *out = b;
      return true;
    }
  }
  return false;
}

}  // namespace

PerturbedScene perturb_scene(const Scene& scene, const Perturbation& p, Rng& rng) {
  PerturbedScene out{scene, std::vector<bool>(static_cast<size_t>(kSceneSide * kSceneSide), false)};
  Image& im = out.scene.image;
  auto px = [&](int64_t x, int64_t y) { return im.pixels.data() + (y * kSceneSide + x) * 3; };
  if (p.name == "distractors") {
    const int64_t n = std::max<int64_t>(1, std::llround(5 * p.level));
    for (int64_t i = 0; i < n; ++i) {
      SceneBox b;
      if (!free_square(out.scene, 9, 1, rng, &b)) break;
      const double cx = (b.x0 + b.x1 - 1) / 2.0, cy = (b.y0 + b.y1 - 1) / 2.0;
      for (int64_t y = b.y0; y < b.y1; ++y)
        for (int64_t x = b.x0; x < b.x1; ++x) {
          const double d = std::abs(x - cx) + std::abs(y - cy);  // L1 distance to the centre
          if (d < 2.5 || d > 4.5) continue;  // a hollow diamond
          for (int ch = 0; ch < 3; ++ch) px(x, y)[ch] = 128;
          out.touched[static_cast<size_t>(y * kSceneSide + x)] = true;
        }
      // Later distractors keep clear of this one: treat it as an object while placing.
      out.scene.objects.push_back({"distractor", "grey", "", b});
    }
    out.scene.objects.resize(scene.objects.size());
  } else if (p.name == "occlusion") {
    const int64_t s = std::max<int64_t>(4, std::llround(p.level * kSceneSide));
    SceneBox b;
    if (free_square(out.scene, std::min<int64_t>(s, kSceneSide), 1, rng, &b))
      for (int64_t y = b.y0; y < b.y1; ++y)
        for (int64_t x = b.x0; x < b.x1; ++x) {
          for (int ch = 0; ch < 3; ++ch) px(x, y)[ch] = 0;
          out.touched[static_cast<size_t>(y * kSceneSide + x)] = true;
        }
  } else if (p.name == "noise") {
    const double sd = 96 * p.level;
    for (auto& v : im.pixels) v = static_cast<uint8_t>(std::clamp(std::lround(v + sd * rng.normal()), 0L, 255L));
    std::fill(out.touched.begin(), out.touched.end(), true);
  } else {
    throw ConfigError("scene perturbation '" + p.name + "': expected distractors, occlusion or noise");
  }
  return out;
}

}  // namespace attnscope::data
