// data/scene_perturb: the caption and objects stay, only the marked pixels change (distractors,
// occlusion), away from every object; noise touches everything; bad names are refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "attnscope/core/error.h"
#include "attnscope/data/scene_perturb.h"

namespace attnscope::data {
namespace {

TEST(ScenePerturb, DistractorsAndOcclusionChangeOnlyMarkedPixelsAwayFromObjects) {
  for (const char* name : {"distractors:0.6", "occlusion:0.25"}) {
    for (uint64_t i = 0; i < 20; ++i) {
      const Scene sc = make_scene(ScenePool::test, 3, i);
      Rng rng(i + 1);
      const PerturbedScene p = perturb_scene(sc, parse_perturbation(name, kScenePerturbations), rng);
      EXPECT_EQ(p.scene.words, sc.words);
      ASSERT_EQ(p.scene.objects.size(), sc.objects.size());
      int64_t touched = 0;
      for (int64_t y = 0; y < kSceneSide; ++y)
        for (int64_t x = 0; x < kSceneSide; ++x) {
          const size_t at = static_cast<size_t>(y * kSceneSide + x);
          const bool changed = std::memcmp(&p.scene.image.pixels[at * 3], &sc.image.pixels[at * 3], 3) != 0;
          if (changed) {
            EXPECT_TRUE(p.touched[at]) << name << " pixel " << x << "," << y;
          }
          if (!p.touched[at]) continue;
          ++touched;
          for (const auto& o : sc.objects) EXPECT_FALSE(o.box.contains(x + 0.5, y + 0.5)) << name << " touches an object";
        }
      EXPECT_GT(touched, 0) << name << " scene " << i;
    }
  }
}

TEST(ScenePerturb, NoiseTouchesEverythingAndBadNamesAreRefused) {
  const Scene sc = make_scene(ScenePool::test, 1, 0);
  Rng rng(4);
  const PerturbedScene p = perturb_scene(sc, parse_perturbation("noise:0.5", kScenePerturbations), rng);
  EXPECT_EQ(std::count(p.touched.begin(), p.touched.end(), true), kSceneSide * kSceneSide);
  EXPECT_NE(p.scene.image.pixels, sc.image.pixels);
  EXPECT_THROW(parse_perturbation("typos", kScenePerturbations), ConfigError);
  try {
    parse_perturbation("blur", kScenePerturbations);
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("distractors, occlusion or noise"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace attnscope::data
