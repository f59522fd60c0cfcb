// bench/translate_seq2seq: the translation models' throughput.
//   BM_translate_train_step  one teacher-forced training step (forward, cross-entropy, backward,
//                            gradient clipping, Adam) on a random batch; counter tgt_tokens/s.
//   BM_translate_decode      greedy (beam 1) or beam-4 decoding of a batch for a fixed length
//                            (the untrained model rarely emits <eos>, so every sentence runs the
//                            full length); counter sentences/s.
// Args: model (0 RNN with additive attention, 1 Transformer), size (0 the dates models of
// `attnscope demo` / `train translate --builtin dates`, 1 the Tatoeba models of docs/RESULTS.md),
// and for decoding the beam. Lengths: dates S = 10, T = 11; Tatoeba S = T = 12.
// Rates are per main-thread CPU second (run with ATTNSCOPE_THREADS=1 on a shared machine).
#include <benchmark/benchmark.h>

#include <memory>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/models/translate/decode.h"
#include "attnscope/models/translate/rnn_seq2seq.h"
#include "attnscope/models/translate/transformer_seq2seq.h"
#include "attnscope/nn/optimizer.h"

namespace {
using namespace attnscope;

struct Setup {
  int64_t V_src, V_tgt, S, T;
};
// Vocabulary sizes as trained: dates 77 source tokens / 15 ISO characters; Tatoeba subset
// (min-freq 2) 1,885 English / 2,581 French words.
constexpr Setup kSizes[] = {{77, 15, 10, 11}, {1885, 2581, 12, 12}};

std::unique_ptr<models::Seq2SeqModel> make_model(int64_t kind, int64_t size, Rng& rng) {
  const Setup& s = kSizes[size];
  if (kind == 0) {
    models::RnnSeq2SeqConfig c;
    c.src_vocab = s.V_src;
    c.tgt_vocab = s.V_tgt;
    c.embed = size == 0 ? 32 : 256;
    c.hidden = size == 0 ? 64 : 256;
    return std::make_unique<models::RnnSeq2Seq>(c, rng);
  }
  models::TransformerSeq2SeqConfig c;
  c.src_vocab = s.V_src;
  c.tgt_vocab = s.V_tgt;
  c.hidden = size == 0 ? 64 : 256;
  c.heads = 4;
  c.layers = 2;
  c.ff = size == 0 ? 0 : 512;
  c.dropout = size == 0 ? 0.0 : 0.2;
  return std::make_unique<models::TransformerSeq2Seq>(c, rng);
}

models::Batch random_batch(int64_t B, const Setup& s, Rng& rng, bool targets) {
  std::vector<std::vector<int64_t>> src(B), tgt;
  for (auto& x : src)
    for (int64_t i = 0; i < s.S; ++i) x.push_back(4 + static_cast<int64_t>(rng.below(s.V_src - 4)));
  if (targets) {
    tgt.resize(B);
    for (auto& y : tgt)
      for (int64_t i = 0; i + 1 < s.T; ++i) y.push_back(4 + static_cast<int64_t>(rng.below(s.V_tgt - 4)));
  }
  return models::make_batch(src, tgt);
}

void BM_translate_train_step(benchmark::State& state) {
  const int64_t kind = state.range(0), size = state.range(1), B = 64;
  Rng rng(1);
  auto model = make_model(kind, size, rng);
  model->train();
  nn::Adam adam(model->named_parameters(), nn::AdamOptions{});
  const models::Batch b = random_batch(B, kSizes[size], rng, true);
  int64_t tokens = 0;
  for (int64_t v : b.tgt_out) tokens += v != ops::kIgnore;
  for (auto _ : state) {
    adam.zero_grad();
    Tensor loss = ops::cross_entropy(model->forward(b), b.tgt_out, ops::kIgnore);
    autograd::backward(loss);
    nn::clip_grad_norm(model->parameters(), 1.0);
    adam.step();
  }
  state.counters["tgt_tokens/s"] = benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_translate_train_step)
    ->ArgNames({"transformer", "tatoeba"})
    ->ArgsProduct({{0, 1}, {0, 1}})
    ->Unit(benchmark::kMillisecond);

void BM_translate_decode(benchmark::State& state) {
  const int64_t kind = state.range(0), size = state.range(1), beam = state.range(2);
  const int64_t B = beam == 1 ? 64 : 8;  // beam search decodes one sentence at a time
  Rng rng(1);
  auto model = make_model(kind, size, rng);
  const models::Batch b = random_batch(B, kSizes[size], rng, false);
  models::DecodeOptions opt;
  opt.max_len = kSizes[size].T;
  opt.beam = static_cast<int>(beam);
  for (auto _ : state) benchmark::DoNotOptimize(models::decode(*model, b, opt));
  state.counters["sentences/s"] = benchmark::Counter(static_cast<double>(B), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_translate_decode)
    ->ArgNames({"transformer", "tatoeba", "beam"})
    ->ArgsProduct({{0, 1}, {0, 1}, {1, 4}})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
