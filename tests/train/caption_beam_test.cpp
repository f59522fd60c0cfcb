// Beam search in the captioner: width 1 is greedy decoding exactly (words, alpha, beta and
// log-probability); wider beams never end below greedy in log-probability on these images; every
// ended hypothesis, and the trace of a beam caption, replayed alone hold that hypothesis's own
// alpha (and beta) per word.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/train/tasks/caption_task.h"
#include "attnscope/train/trainer.h"
#include "slow_tests.h"

namespace attnscope::train {
namespace {

TEST(CaptionBeam, WidthOneIsGreedyAndWiderNeverScoresLower) {
  // "location": soft attention with location features, whose per-hypothesis state (the last
  // alpha and the coverage) the beam must reorder with the hypotheses (the replay check below
  // fails when it is not). "feed": soft attention whose LSTM reads the previous context, another
  // per-hypothesis state.
  for (const std::string name : {"soft", "location", "feed", "adaptive", "none"}) {
    const char* kind = name == "location" || name == "feed" ? "soft" : name.c_str();
    Settings s(caption_settings());
    for (const auto& [k, v] : std::map<std::string, std::string>{{"attention", kind}, {"hidden", "32"}, {"channels", "16"}, {"embed", "16"}})
      s.set(k, v);
    if (name == "location") s.set("location-aware", "1");
    if (name == "feed") s.set("feed-context", "1");
    CaptionTask task(s, 4);
    TrainerOptions o = caption_defaults(s);
    o.steps = slow_tests() ? 40 : 10;  // the sanitizer build: beams over a barely trained model
    o.eval_every = o.steps;
    o.warmup = o.steps / 4;
    o.quiet = true;
    o.keep_best = false;
    run_training(task, o);
    auto& m = task.captioner();
    if (name == "location") {  // a barely trained model hardly uses the features: make them count
      int found = 0;
      for (auto& [pname, p] : m.named_parameters())
        if (pname == "location_out.weight") {
          autograd::NoGrad ng;
          p.copy_from(ops::scale(p, 50.0));
          ++found;
        }
      ASSERT_EQ(found, 1);
    }
    if (name == "feed") {  // and the fed context: x5 on the LSTM input columns that read it (the last 16)
      int found = 0;
      for (auto& [pname, p] : m.named_parameters())
        if (pname == "lstm.weight_ih_l0") {
          autograd::NoGrad ng;
          std::vector<float> w = p.to_vector();
          const int64_t in = p.size(1);
          for (int64_t r = 0; r < p.size(0); ++r)
            for (int64_t c = in - 16; c < in; ++c) w[static_cast<size_t>(r * in + c)] *= 5.0f;
          p.copy_from(Tensor::from(std::span<const float>(w), p.shape()));
          ++found;
        }
      ASSERT_EQ(found, 1);
    }
    const auto scenes = data::make_scenes(data::ScenePool::test, 9, slow_tests() ? 24 : 6);
    std::vector<const data::Image*> images;
    for (const auto& sc : scenes) images.push_back(&sc.image);
    const auto greedy = m.generate(images);
    int better = 0;
    for (size_t i = 0; i < images.size(); ++i) {
      const auto b1 = m.beam_search(*images[i], 1);
      EXPECT_EQ(b1.words, greedy[i].words) << kind;
      EXPECT_NEAR(b1.log_prob, greedy[i].log_prob, 1e-4) << kind;
      for (int64_t k : {2, 3, 5}) {
        const auto bk = m.generate({images[i]}, k).front();
        EXPECT_GE(bk.log_prob, greedy[i].log_prob - 1e-5) << kind << " beam " << k << " image " << i;
        ASSERT_EQ(bk.alpha.size(), std::string(kind) == "none" ? 0u : bk.words.size() + (bk.words.size() <= 20 ? 1u : 0u));
        EXPECT_EQ(bk.beta.empty(), std::string(kind) != "adaptive");
        better += k == 5 && bk.log_prob > greedy[i].log_prob + 1e-4;
      }
    }
    std::printf("%s: beam 5 beats greedy on %d of %zu images\n", name.c_str(), better, images.size());
    // Every ended hypothesis, replayed alone (teacher-forced), has the alpha and beta the beam
    // recorded for it: the per-hypothesis state followed its hypothesis when the beam reordered.
    // (Rows batched in the beam and a row alone round differently: measured largest difference
    // 1.2e-3 with the location features x50, 0.99 when their state is not reordered. A missing
    // reorder of `where` moves these barely trained soft and adaptive models by < 1e-4 only.)
    if (std::string(kind) != "none") {
      double worst = 0;
      for (size_t i = 0; i < images.size(); ++i) {
        std::vector<models::GeneratedCaption> ended;
        m.beam_search(*images[i], 5, &ended);
        ASSERT_GE(ended.size(), 5u);
        for (const auto& h : ended) {
          const io::Trace t = m.trace_caption(*images[i], h.words, h.alpha.size() > h.words.size());
          const io::TraceLayer* layer = t.find_layer("decoder.cross");
          ASSERT_EQ(layer->queries, static_cast<int64_t>(h.alpha.size())) << name;
          for (size_t q = 0; q < h.alpha.size(); ++q)
            for (size_t k = 0; k < h.alpha[q].size(); ++k)
              worst = std::max(worst, std::abs(double(layer->weights[q * h.alpha[q].size() + k]) - h.alpha[q][k]));
          for (size_t q = 0; q < h.beta.size(); ++q)
            worst = std::max(worst, std::abs(double(layer->extras.at("sentinel_beta").values[q]) - h.beta[q]));
        }
      }
      std::printf("%s: every ended hypothesis replayed alone: largest difference %.2g\n", name.c_str(), worst);
      EXPECT_LT(worst, 0.01) << name;
    }
    if (std::string(kind) == "none") continue;
    // The trace of a beam caption: one row per step of the chosen hypothesis, its own alpha.
    const auto bk = m.generate({images[0]}, 3).front();
    const io::Trace t = m.trace(*images[0], 3);
    EXPECT_EQ(t.meta.at("beam"), "3");
    const io::TraceLayer* layer = t.find_layer("decoder.cross");
    ASSERT_NE(layer, nullptr);
    ASSERT_EQ(layer->queries, static_cast<int64_t>(bk.alpha.size()));
    const std::vector<float>& w = layer->weights;  // [1 head, queries, keys]
    for (size_t q = 0; q < bk.alpha.size(); ++q)
      for (size_t k = 0; k < bk.alpha[q].size(); ++k) ASSERT_NEAR(w[q * bk.alpha[q].size() + k], bk.alpha[q][k], 1e-3) << q;
  }
}

}  // namespace
}  // namespace attnscope::train
