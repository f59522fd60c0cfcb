// bench/sentiment_train: one training step of the sentiment classifier (BiGRU + additive
// attention pooling + linear; dropout 0.5, word dropout 0.1) — forward, backward, AdamW — on a
// batch of B sentences of T words from a 16,000-word vocabulary. Counter: sentences/s (wall).
// bench/sentiment.sh runs the same model in PyTorch beside it and prints the ratio.
// Args: B, T, E (= H).
#include <benchmark/benchmark.h>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/models/sentiment/classifier.h"
#include "attnscope/nn/optimizer.h"

namespace {
using namespace attnscope;

void BM_sentiment_train_step(benchmark::State& state) {
  const int64_t B = state.range(0), T = state.range(1), H = state.range(2), V = 16000;
  std::vector<std::string> words;
  for (int64_t i = 0; i < V - 4; ++i) words.push_back("w" + std::to_string(i));
  models::ClassifierConfig cfg;
  cfg.embed = H;
  cfg.hidden = H;
  cfg.labels = {"negative", "positive"};
  Rng rng(1);
  models::SentimentClassifier model(cfg, data::Vocab::from_tokens(words), rng);
  nn::AdamW opt(model.named_parameters(), nn::AdamOptions{});
  std::vector<std::vector<int64_t>> rows(B, std::vector<int64_t>(T));
  std::vector<int64_t> labels(B);
  for (int64_t b = 0; b < B; ++b) {
    for (auto& id : rows[b]) id = 4 + static_cast<int64_t>(rng.below(V - 4));
    labels[b] = static_cast<int64_t>(rng.below(2));
  }
  const models::ClassifierBatch batch = models::make_classifier_batch(rows);
  model.train();
  for (auto _ : state) {
    opt.zero_grad();
    Tensor loss = ops::cross_entropy(model.forward(batch).logits, labels);
    autograd::backward(loss);
    opt.step();
  }
  state.counters["sentences_per_s"] = benchmark::Counter(static_cast<double>(B), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_sentiment_train_step)
    ->ArgNames({"B", "T", "H"})
    ->Args({32, 20, 128})  // SST-2 sized: mean sentence length ~19 words
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
