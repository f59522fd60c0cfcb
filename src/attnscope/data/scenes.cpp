#include "attnscope/data/scenes.h"

#include <algorithm>
#include <cmath>

namespace attnscope::data {
namespace {

struct Colour {
  const char* name;
  int r, g, b;
};
constexpr Colour kColours[] = {{"red", 220, 40, 40},    {"green", 40, 190, 60}, {"blue", 50, 90, 235},
                               {"yellow", 230, 210, 40}, {"white", 235, 235, 235}};
constexpr const char* kKinds[] = {"circle", "square", "triangle", "cross"};
constexpr const char* kSizes[] = {"small", "big"};
constexpr int64_t kSizePx[] = {8, 13};

// Independent of the objects' order (rendering sorts them for the caption).
uint64_t layout_hash(const std::vector<SceneObject>& objects) {
  uint64_t sum = 0;
  for (const auto& o : objects) {
    uint64_t h = 1469598103934665603ULL;  // FNV-1a over the object's fields
    for (const std::string& s : {o.kind, o.colour, o.size, std::to_string(o.box.x0) + "," + std::to_string(o.box.y0)}) {
      for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
      h = (h ^ 0xff) * 1099511628211ULL;
    }
    sum += h;
  }
  sum ^= sum >> 31;  // splitmix's finaliser: the sum's low bits alone are poorly mixed
  sum *= 0xbf58476d1ce4e5b9ULL;
  return sum ^ (sum >> 29);
}

bool overlaps(const SceneBox& a, const SceneBox& b, int64_t gap) {
  return a.x0 < b.x1 + gap && b.x0 < a.x1 + gap && a.y0 < b.y1 + gap && b.y0 < a.y1 + gap;
}

// Whether pixel centre (px, py) is inside the shape drawn in its box.
bool inside(const SceneObject& o, double px, double py) {
  const double s = static_cast<double>(o.box.x1 - o.box.x0);
  const double cx = (o.box.x0 + o.box.x1) / 2.0, cy = (o.box.y0 + o.box.y1) / 2.0;
  if (!o.box.contains(px, py)) return false;
  if (o.kind == "circle") return (px - cx) * (px - cx) + (py - cy) * (py - cy) <= s * s / 4;
  if (o.kind == "square") return true;
  if (o.kind == "triangle") return std::abs(px - cx) <= (py - o.box.y0) / 2.0;
  return std::abs(px - cx) < s / 6 || std::abs(py - cy) < s / 6;  // cross
}

std::vector<SceneObject> draw_layout(Rng& rng) {
  const int64_t count = 1 + static_cast<int64_t>(rng.below(3));
  std::vector<SceneObject> objects;
  for (int64_t tries = 0; static_cast<int64_t>(objects.size()) < count && tries < 200; ++tries) {
    SceneObject o;
    const size_t size = rng.below(2);
    o.kind = kKinds[rng.below(4)];
    o.colour = kColours[rng.below(5)].name;
    o.size = kSizes[size];
    const int64_t px = kSizePx[size];
    o.box.x0 = static_cast<int64_t>(rng.below(kSceneSide - px + 1));
    o.box.y0 = static_cast<int64_t>(rng.below(kSceneSide - px + 1));
    o.box.x1 = o.box.x0 + px;
    o.box.y1 = o.box.y0 + px;
    bool free = true;
    for (const auto& p : objects) free = free && !overlaps(p.box, o.box, 2);
    if (free) objects.push_back(o);
  }
  return objects;
}

Scene render(std::vector<SceneObject> objects, Rng& rng) {
  Scene sc;
  auto cx = [](const SceneObject& o) { return (o.box.x0 + o.box.x1) / 2.0; };
  auto cy = [](const SceneObject& o) { return (o.box.y0 + o.box.y1) / 2.0; };
  // The caption's order: left to right, or top to bottom for an "above" pair.
  std::string relation;
  if (objects.size() == 2) {
    const double dx = std::abs(cx(objects[0]) - cx(objects[1])), dy = std::abs(cy(objects[0]) - cy(objects[1]));
    relation = dx >= dy ? "left" : "above";
    if (relation == "left" ? cx(objects[1]) < cx(objects[0]) : cy(objects[1]) < cy(objects[0])) std::swap(objects[0], objects[1]);
  } else {
    std::stable_sort(objects.begin(), objects.end(), [&](const SceneObject& a, const SceneObject& b) { return cx(a) < cx(b); });
  }
  auto name = [&](int64_t i) {
    sc.words.push_back("a");
    sc.word_object.push_back(-1);
    for (const std::string* w : {&objects[i].size, &objects[i].colour, &objects[i].kind}) {
      sc.words.push_back(*w);
      sc.word_object.push_back(i);
    }
  };
  auto word = [&](const char* w) {
    sc.words.push_back(w);
    sc.word_object.push_back(-1);
  };
  name(0);
  if (objects.size() == 2) {
    word(relation == "left" ? "left" : "above");
    if (relation == "left") word("of");
    name(1);
  } else if (objects.size() == 3) {
    word(",");
    name(1);
    word("and");
    name(2);
  }
  // Pixels: a noisy dark background, each object in its colour with a small jitter.
  Image& im = sc.image;
  im.height = im.width = kSceneSide;
  im.channels = 3;
  im.pixels.resize(static_cast<size_t>(kSceneSide * kSceneSide * 3));
  for (auto& p : im.pixels) p = static_cast<uint8_t>(18 + rng.below(22));
  for (const auto& o : objects) {
    const Colour* c = &kColours[0];
    for (const auto& k : kColours)
      if (o.colour == k.name) c = &k;
    const int jitter[3] = {static_cast<int>(rng.below(31)) - 15, static_cast<int>(rng.below(31)) - 15,
                           static_cast<int>(rng.below(31)) - 15};
    const int rgb[3] = {c->r, c->g, c->b};
    for (int64_t y = o.box.y0; y < o.box.y1; ++y)
      for (int64_t x = o.box.x0; x < o.box.x1; ++x) {
        if (!inside(o, x + 0.5, y + 0.5)) continue;
        uint8_t* px = im.pixels.data() + (y * kSceneSide + x) * 3;
        for (int ch = 0; ch < 3; ++ch) px[ch] = static_cast<uint8_t>(std::clamp(rgb[ch] + jitter[ch], 0, 255));
      }
  }
  sc.objects = std::move(objects);
  return sc;
}

}  // namespace

std::string Scene::caption() const {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

ScenePool scene_pool(const std::vector<SceneObject>& objects) {
  const uint64_t h = layout_hash(objects) % 10;
  return h == 0 ? ScenePool::test : h == 1 ? ScenePool::valid : ScenePool::train;
}

Scene draw_scene(ScenePool pool, Rng& rng) {
  for (;;) {
    std::vector<SceneObject> objects = draw_layout(rng);
    if (scene_pool(objects) == pool) return render(std::move(objects), rng);
  }
}

Scene make_scene(ScenePool pool, uint64_t seed, uint64_t index) {
  Rng rng(seed * 0x9e3779b97f4a7c15ULL + index * 0xbf58476d1ce4e5b9ULL + static_cast<uint64_t>(pool) + 1);
  return draw_scene(pool, rng);
}

std::vector<Scene> make_scenes(ScenePool pool, uint64_t seed, int64_t n) {
  std::vector<Scene> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(make_scene(pool, seed, static_cast<uint64_t>(i)));
  return out;
}

std::vector<std::string> scene_words() {
  std::vector<std::string> w = {"a", "left", "of", "above", ",", "and"};
  for (const char* s : kSizes) w.push_back(s);
  for (const auto& c : kColours) w.push_back(c.name);
  for (const char* k : kKinds) w.push_back(k);
  return w;
}

bool scene_function_word(const std::string& word) {
  return word == "a" || word == "left" || word == "of" || word == "above" || word == "and" || word == ",";
}

}  // namespace attnscope::data
