#include "attnscope/models/caption/robustness.h"

#include <cstdio>

#include "attnscope/core/rng.h"
#include "attnscope/data/scene_perturb.h"

namespace attnscope::models {

CaptionRobustness evaluate_caption_robustness(Captioner& model, const std::vector<data::Scene>& scenes,
                                              const data::Perturbation& p, uint64_t seed) {
  Rng rng(seed);
  std::vector<data::PerturbedScene> ps;
  std::vector<data::Scene> noisy;
  for (const auto& sc : scenes) {
    ps.push_back(data::perturb_scene(sc, p, rng));
    noisy.push_back(ps.back().scene);
  }
  CaptionRobustness r;
  r.clean = evaluate_scenes(model, scenes);
  r.perturbed = evaluate_scenes(model, noisy);
  // Each cell's share of touched pixels, per scene.
  const int64_t g = model.config().grid(), K = g * g, side = data::kSceneSide;
  double shift = 0, chance = 0;
  int64_t words = 0;
  const size_t chunk = 64;
  for (size_t from = 0; from < noisy.size(); from += chunk) {
    std::vector<const data::Image*> images;
    for (size_t i = from; i < std::min(noisy.size(), from + chunk); ++i) images.push_back(&noisy[i].image);
    const std::vector<GeneratedCaption> caps = model.generate(images);
    for (size_t b = 0; b < caps.size(); ++b) {
      const std::vector<bool>& touched = ps[from + b].touched;
      std::vector<double> share(K, 0.0);
      double mean = 0;
      for (int64_t y = 0; y < side; ++y)
        for (int64_t x = 0; x < side; ++x)
          if (touched[y * side + x]) share[(y * g / side) * g + x * g / side] += 1.0;
      const double per_cell = static_cast<double>(side * side) / static_cast<double>(K);
      for (double& v : share) v /= per_cell, mean += v / static_cast<double>(K);
      if (mean == 0) continue;
      for (const auto& a : caps[b].alpha) {
        if (static_cast<int64_t>(a.size()) != K) continue;
        double on = 0;
        for (int64_t k = 0; k < K; ++k) on += a[k] * share[k];
        shift += on;
        chance += mean;
        ++words;
      }
    }
  }
  if (words > 0) {
    r.focus_shift = shift / static_cast<double>(words);
    r.chance = chance / static_cast<double>(words);
  }
  return r;
}

std::string caption_robustness_line(const CaptionRobustness& r, const data::Perturbation& p) {
  char line[320], pointing[32] = "n/a", shift[64] = "";
  if (r.perturbed.pointing >= 0) std::snprintf(pointing, sizeof pointing, "%.1f%%", 100 * r.perturbed.pointing);
  if (r.focus_shift >= 0)
    std::snprintf(shift, sizeof shift, " focus_shift=%.1f%% chance=%.1f%%", 100 * r.focus_shift, 100 * r.chance);
  std::snprintf(line, sizeof line, "perturb: %s bleu4=%.1f clean=%.1f drop=%.1f exact=%.1f%% pointing=%s%s n=%lld", p.str().c_str(),
                r.perturbed.bleu[3], r.clean.bleu[3], r.clean.bleu[3] - r.perturbed.bleu[3], 100 * r.perturbed.exact, pointing,
                shift, static_cast<long long>(r.perturbed.n));
  return line;
}

}  // namespace attnscope::models
