// Built-in captioning data: generated scenes of coloured shapes (no files). Each scene holds 1-3
// objects (kind, colour, size, position) drawn on a noisy dark background, a caption from a
// small grammar, and every object's bounding box and the caption words that name it, so where a
// captioner looks can be checked anywhere.
//   1 object    "a big red circle"
//   2 objects   "a small blue square left of a big green triangle" (or "above": the axis on which
//               they are further apart; the left / upper object is named first)
//   3 objects   "a red circle , a blue square and a green triangle" (left to right)
// Scenes are deterministic from (seed, index). Every scene falls in one of three disjoint pools by
// a hash of its layout (objects and positions): train, valid (checks during training) and test
// (what `eval --builtin scenes --seed S` draws from), so evaluation never meets a training scene.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/core/rng.h"
#include "attnscope/data/image.h"

namespace attnscope::data {

struct SceneBox {
  int64_t x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // pixels, [x0, x1) x [y0, y1)
  bool contains(double x, double y) const { return x >= x0 && x < x1 && y >= y0 && y < y1; }
};

struct SceneObject {
  std::string kind, colour, size;  // "circle", "red", "big"
  SceneBox box;
};

struct Scene {
  Image image;                      // RGB, side x side
  std::vector<SceneObject> objects;
  std::vector<std::string> words;   // the caption
  std::vector<int64_t> word_object; // per word: the object it names (size, colour, kind), or -1
  std::string caption() const;      // words joined by spaces
};

enum class ScenePool { train, valid, test };

inline constexpr int64_t kSceneSide = 32;

// Scene `index` of the stream `seed` restricted to `pool` (draws until the layout hashes there).
Scene make_scene(ScenePool pool, uint64_t seed, uint64_t index);
// Draws the next scene of `pool` from `rng` (training streams).
Scene draw_scene(ScenePool pool, Rng& rng);
// n scenes: make_scene(pool, seed, 0..n-1).
std::vector<Scene> make_scenes(ScenePool pool, uint64_t seed, int64_t n);
// The pool of a layout (for tests: pools are disjoint by construction).
ScenePool scene_pool(const std::vector<SceneObject>& objects);
// Every word the grammar can produce (a fixed vocabulary).
std::vector<std::string> scene_words();
// Whether a caption word is a function word (a, of, left, above, and, ",").
bool scene_function_word(const std::string& word);

}  // namespace attnscope::data
