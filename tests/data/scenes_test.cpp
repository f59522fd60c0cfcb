// Generated scenes: deterministic, captions name their objects, pools are disjoint.
#include <gtest/gtest.h>

#include <set>

#include "attnscope/data/scenes.h"

namespace attnscope::data {
namespace {

TEST(Scenes, AreDeterministicFromTheSeed) {
  const Scene a = make_scene(ScenePool::test, 7, 3), b = make_scene(ScenePool::test, 7, 3);
  EXPECT_EQ(a.image.pixels, b.image.pixels);
  EXPECT_EQ(a.caption(), b.caption());
  EXPECT_NE(make_scene(ScenePool::test, 8, 3).image.pixels, a.image.pixels);
}

TEST(Scenes, CaptionsNameEveryObjectAndItsColourInsideItsBox) {
  const std::set<std::string> vocab = [] {
    auto w = scene_words();
    return std::set<std::string>(w.begin(), w.end());
  }();
  std::set<size_t> counts;
  for (const Scene& s : make_scenes(ScenePool::train, 1, 200)) {
    ASSERT_EQ(s.words.size(), s.word_object.size());
    counts.insert(s.objects.size());
    for (size_t i = 0; i < s.words.size(); ++i) {
      EXPECT_TRUE(vocab.count(s.words[i])) << s.words[i];
      EXPECT_EQ(scene_function_word(s.words[i]), s.word_object[i] < 0) << s.caption();
    }
    for (const auto& o : s.objects) {
      // The box's centre pixel has the object's colour (every shape covers it), not background.
      const uint8_t* p = s.image.at((o.box.y0 + o.box.y1) / 2, (o.box.x0 + o.box.x1) / 2);
      EXPECT_GT(std::max({p[0], p[1], p[2]}), 150) << s.caption();
    }
    if (s.objects.size() == 2 && s.words[4] == "left") {
      EXPECT_LT(s.objects[0].box.x0 + s.objects[0].box.x1, s.objects[1].box.x0 + s.objects[1].box.x1);
    }
  }
  EXPECT_EQ(counts, (std::set<size_t>{1, 2, 3}));
}

TEST(Scenes, PoolsAreDisjoint) {
  for (const Scene& s : make_scenes(ScenePool::train, 1, 300)) EXPECT_EQ(scene_pool(s.objects), ScenePool::train);
  for (const Scene& s : make_scenes(ScenePool::test, 1, 100)) EXPECT_EQ(scene_pool(s.objects), ScenePool::test);
}

}  // namespace
}  // namespace attnscope::data
