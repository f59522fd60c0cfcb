// bench/caption_train: one training step of the soft-attention captioner (models/caption: four
// 3x3 convolutions and two max pools -> a (S/4)^2 grid of C = 64 features, an LSTM of 128 fed the
// previous word and where it looked, additive attention, gated context, dropout 0.1) with the
// defaults of the data each size stands for: 32 px the scenes' (pixel keys, location features),
// 64 px the photos' (started from the image, the context fed back) — forward, backward, AdamW — on
// B images of S x S pixels with captions of T = 12 words from a 2,000-word vocabulary. Counter:
// images/s (wall). bench/caption.sh runs the same models in PyTorch beside it and prints the
// ratio. Args: B, S.
#include <benchmark/benchmark.h>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/models/caption/captioner.h"
#include "attnscope/nn/optimizer.h"

namespace {
using namespace attnscope;

void BM_caption_train_step(benchmark::State& state) {
  const int64_t B = state.range(0), S = state.range(1), T = 12, V = 2000;
  std::vector<std::string> words;
  for (int64_t i = 0; i < V - 4; ++i) words.push_back("w" + std::to_string(i));
  models::CaptionerConfig cfg;
  cfg.image_side = S;
  if (S == 32) {  // the scenes' defaults (train/tasks/caption_task.cpp)
    cfg.keys = "pixels";
    cfg.location_aware = true;
  } else {  // the photos'
    cfg.init_state = "image";
    cfg.feed_context = true;
  }
  Rng rng(1);
  models::Captioner model(cfg, data::Vocab::from_tokens(words), rng);
  nn::AdamW opt(model.named_parameters(), nn::AdamOptions{});
  std::vector<data::Image> images(static_cast<size_t>(B));
  std::vector<std::vector<std::string>> captions(static_cast<size_t>(B));
  for (int64_t b = 0; b < B; ++b) {
    images[b].height = images[b].width = S;
    images[b].channels = 3;
    for (int64_t i = 0; i < S * S * 3; ++i) images[b].pixels.push_back(static_cast<uint8_t>(rng.below(256)));
    for (int64_t t = 0; t < T; ++t) captions[b].push_back(words[rng.below(words.size())]);
  }
  std::vector<const data::Image*> ptrs;
  for (const auto& im : images) ptrs.push_back(&im);
  model.train();
  for (auto _ : state) {
    // The batch is made inside the step, as training does (images to a normalised tensor).
    const models::CaptionBatch b = model.make_batch(ptrs, captions);
    opt.zero_grad();
    const Tensor logits = model.forward(b).logits;
    Tensor loss = ops::cross_entropy(ops::reshape(logits, Shape{b.B * b.T, V}), b.targets);
    autograd::backward(loss);
    opt.step();
  }
  state.counters["images_per_s"] = benchmark::Counter(static_cast<double>(B), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_caption_train_step)
    ->ArgNames({"B", "S"})
    ->Args({32, 32})  // the built-in scenes
    ->Args({32, 64})  // photographs (train caption --data)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(10)  // a 64 px step takes ~1 s: a few seconds would time one step, the first one's allocations included
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
