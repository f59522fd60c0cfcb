// Robustness of a captioner to a perturbation of its images (data/scene_perturb.h), the image
// twin of models/sentiment/robustness.h: the caption metrics on the perturbed scenes against the
// clean ones, and the focus shift — the share of the attention mass of the generated words that
// lands on the perturbed pixels (each grid cell counted by its share of touched pixels), with
// `chance` the share uniform attention would put there.
#pragma once
#include <string>
#include <vector>

#include "attnscope/data/perturb.h"
#include "attnscope/models/caption/evaluate.h"

namespace attnscope::models {

struct CaptionRobustness {
  CaptionEval clean, perturbed;
  double focus_shift = -1, chance = -1;  // -1: no attention, or nothing was touched
};

CaptionRobustness evaluate_caption_robustness(Captioner& model, const std::vector<data::Scene>& scenes,
                                              const data::Perturbation& p, uint64_t seed);

// "perturb: distractors:0.2 bleu4=NN.N clean=NN.N drop=N.N exact=NN.N% pointing=NN.N% focus_shift=NN.N% chance=NN.N% n=N"
std::string caption_robustness_line(const CaptionRobustness& r, const data::Perturbation& p);

}  // namespace attnscope::models
