// Captioning metrics on generated scenes (and, text metrics only, on photographs): BLEU-1..4 (data/bleu.h), CIDEr-D (data/cider.h) and the
// exact-caption rate of greedy captions; and, teacher-forced on the reference caption (as Liu et
// al. 2017 measure it), where each word looked:
//   pointing     share of object words (size, colour, kind) whose most attended cell has its
//                centre inside that object's box
//   correctness  the share of the attention mass on cells whose centre is inside the box (mean
//                over object words)
//   misses       where the other object words' most attended cell went: on the box's edge (the
//                cell overlaps the box, its centre is outside), on another object, or elsewhere
//   order        pointing of the first object named and of the later ones (and of their size words)
//   beta         adaptive attention: mean sentinel weight on object words and on function words
//   diversity    how many distinct captions the images got, and the distinct words they use
//   focus        how peaked the generated captions' attention is: mean entropy of alpha over their
//                words against log(cells) for uniform, and the mean largest weight in multiples of
//                uniform (photos too: it says whether the attention looks anywhere in particular);
//                adaptive attention: the mean beta of the captions' words
#pragma once
#include <string>
#include <vector>

#include "attnscope/data/scenes.h"
#include "attnscope/models/caption/captioner.h"

namespace attnscope::models {

struct CaptionEval {
  int64_t n = 0;
  double bleu[4] = {};          // BLEU-1..4, 0..100
  double cider = 0;             // CIDEr-D
  double exact = 0;             // share of captions equal to the reference
  double pointing = -1;         // -1: no attention
  double correctness = -1;
  int64_t object_words = 0;
  double pointing_by_role[3] = {-1, -1, -1};    // size, colour, kind words
  // Shares of object words missed (pointing + the three = 1): see Look.
  double miss_edge = -1, miss_other = -1, miss_elsewhere = -1;
  // Pointing by the object's place in the caption: index 0 the first object named, 1 the later
  // ones (a later object's first word has to move the attention off the object before it);
  // all its object words, and its size words alone. -1 where there are none.
  int64_t order_words[2] = {0, 0};
  double pointing_by_order[2] = {-1, -1}, size_pointing_by_order[2] = {-1, -1};
  double beta_object = -1, beta_function = -1;  // adaptive only
  // Greedy (or beam) captions' alpha: mean entropy (nats), log(cells), mean peak x cells; -1: none.
  double focus_entropy = -1, focus_uniform = -1, focus_peak = -1;
  double focus_beta = -1;  // adaptive: the captions' mean beta (no boxes needed)
  std::vector<std::string> hypotheses;          // greedy captions, in order
};

// Per caption word of a scene: the grid cells (row-major, grid x grid over the scene) whose centre
// lies inside the box of the object the word names; empty for function words. What pointing and
// correctness count as "inside", and the gold of box supervision (attention/supervision.h).
std::vector<std::vector<int>> scene_word_cells(const data::Scene& scene, int64_t grid);

// Where a cell lies relative to the object word t names: its centre inside the box (a pointing
// hit); the cell overlaps the box but its centre is outside (edge); its centre inside another
// object's box (other_object); none of these (elsewhere). Function words: elsewhere.
enum class Look { inside, edge, other_object, elsewhere };
Look classify_look(const data::Scene& scene, size_t word, int64_t cell, int64_t grid);

// Captions are decoded greedily (beam 1) or with beam search of that width.
CaptionEval evaluate_scenes(Captioner& model, const std::vector<data::Scene>& scenes, int64_t beam = 1);
// Photographs without boxes: BLEU-1..4 and CIDEr-D against every reference of each image (exact:
// the caption equals one of them); pointing stays n/a. references[i] are image i's captions, as words.
CaptionEval evaluate_captions(Captioner& model, const std::vector<const data::Image*>& images,
                              const std::vector<std::vector<std::vector<std::string>>>& references, int64_t beam = 1);
// The report: first line exactly "caption: bleu4=NN.N cider=N.NN pointing=NN.N% n=N".
std::vector<std::string> caption_report(const CaptionEval& e);

}  // namespace attnscope::models
