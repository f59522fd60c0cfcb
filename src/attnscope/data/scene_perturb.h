// Perturbations of generated scenes (data/scenes.h) for robustness tests, the image twin of
// data/perturb.h: the caption and the objects stay the same, the pixels change, and `touched`
// marks the pixels a focus-shift measure counts.
//   distractors:L   round(5 L) (at least 1) grey shapes outside every object (grey is no caption
//                   colour and the shape — a hollow diamond — no caption kind)
//   occlusion:L     a background-dark square of side round(L * side) (at least 4) placed away from
//                   the objects, hiding only background
//   noise:L         Gaussian pixel noise of standard deviation 96 L everywhere (touches every pixel)
#pragma once
#include <string>
#include <vector>

#include "attnscope/core/rng.h"
#include "attnscope/data/perturb.h"
#include "attnscope/data/scenes.h"

namespace attnscope::data {

inline const std::vector<std::string> kScenePerturbations = {"distractors", "occlusion", "noise"};

struct PerturbedScene {
  Scene scene;                 // the same objects and caption, perturbed pixels
  std::vector<bool> touched;   // [side * side] pixels changed on purpose (none: nothing placed)
};

// ConfigError for a name not in kScenePerturbations.
PerturbedScene perturb_scene(const Scene& scene, const Perturbation& p, Rng& rng);

}  // namespace attnscope::data
