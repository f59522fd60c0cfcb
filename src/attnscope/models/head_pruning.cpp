#include "attnscope/models/head_pruning.h"

#include <algorithm>
#include <ctime>
#include <cmath>
#include <numeric>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/data/bleu.h"
#include "attnscope/models/generate.h"
#include "attnscope/models/translate/transformer_seq2seq.h"
#include "attnscope/nn/eval_mode.h"

namespace attnscope::models {

namespace {

// The fastest of `repeats` runs of fn, in seconds of process CPU time: on a shared machine wall
// time includes waiting for a core (measured: 9.6 s wall for 2.8 s CPU with another build
// running), CPU time of a one-thread run does not; the minimum filters what noise is left.
template <class Fn>
double fastest(int64_t repeats, Fn&& fn) {
  double best = 1e300;
  for (int64_t r = 0; r < std::max<int64_t>(1, repeats); ++r) {
    const std::clock_t t0 = std::clock();
    fn();
    best = std::min(best, static_cast<double>(std::clock() - t0) / CLOCKS_PER_SEC);
  }
  return best;
}

TransformerSeq2Seq& transformer_of(Translator& t) {
  auto* m = dynamic_cast<TransformerSeq2Seq*>(&t.model());
  if (!m) throw ConfigError("head pruning needs a Transformer translator (this one is " + t.kind() + ")");
  return *m;
}

std::string spaced(const std::vector<std::string>& chars) {
  std::string s;
  for (const auto& c : chars) s += (s.empty() ? "" : " ") + c;
  return s;
}

// One point per share: that share of the least important heads pruned through `prune(mask)`,
// then `measure(point)` fills its quality and time; everything unpruned at the end.
template <class Prune, class Measure>
std::vector<PrunePoint> pruning_sweep(std::span<const double> importance, std::span<const double> shares, Prune&& prune,
                                      Measure&& measure) {
  std::vector<PrunePoint> curve;
  for (double share : shares) {
    PrunePoint p;
    p.share = share;
    const auto mask = least_important_heads(importance, share);
    p.heads = static_cast<int64_t>(mask.size());
    p.pruned = std::count(mask.begin(), mask.end(), uint8_t{1});
    prune(mask);
    measure(p);
    curve.push_back(p);
  }
  prune(std::vector<uint8_t>{});
  return curve;
}

}  // namespace

std::vector<uint8_t> least_important_heads(std::span<const double> importance, double share) {
  if (!(share >= 0 && share <= 1)) throw ValueError("pruning share " + std::to_string(share) + " is outside [0, 1]");
  const size_t n = importance.size(), k = static_cast<size_t>(std::llround(share * static_cast<double>(n)));
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return importance[a] < importance[b]; });
  std::vector<uint8_t> mask(n, 0);
  for (size_t i = 0; i < k; ++i) mask[order[i]] = 1;
  return mask;
}

std::vector<PrunePoint> text_pruning_curve(Model& model, std::span<const int32_t> ids, std::span<const double> importance,
                                           std::span<const double> shares, int64_t repeats) {
  return pruning_sweep(
      importance, shares, [&](std::vector<uint8_t> mask) { model.prune_heads(std::move(mask)); },
      [&](PrunePoint& p) {
        p.quality = perplexity(model, ids).perplexity;
        p.seconds = fastest(repeats, [&] {
          model.reset();
          model.forward(ids);
        });
      });
}

std::vector<double> translator_head_ablation(Translator& t, const std::vector<data::DateExample>& calibration) {
  TransformerSeq2Seq& m = transformer_of(t);
  if (calibration.empty()) throw ValueError("head ablation needs at least one calibration example");
  std::vector<std::vector<int64_t>> src, tgt;
  for (const auto& ex : calibration) {
    src.push_back(t.codec().source_vocab.encode(ex.source));
    tgt.push_back(t.codec().target_vocab.encode(ex.target));
  }
  const Batch batch = make_batch(src, tgt);
  autograd::NoGrad ng;
  nn::EvalMode em(m);
  auto loss = [&] { return ops::cross_entropy(m.forward(batch), batch.tgt_out, ops::kIgnore).item(); };
  const double base = loss();
  std::vector<double> delta(static_cast<size_t>(m.attention_heads()));
  std::vector<uint8_t> mask(delta.size(), 0);
  for (size_t i = 0; i < delta.size(); ++i) {
    mask[i] = 1;
    m.prune_heads(mask);
    delta[i] = loss() - base;
    mask[i] = 0;
  }
  m.prune_heads({});
  return delta;
}

std::vector<PrunePoint> translator_pruning_curve(Translator& t, const std::vector<data::DateExample>& held_out,
                                                 std::span<const double> importance, std::span<const double> shares,
                                                 int64_t repeats) {
  TransformerSeq2Seq& m = transformer_of(t);
  std::vector<std::string> texts, refs;
  for (const auto& ex : held_out) texts.push_back(ex.text), refs.push_back(spaced(ex.target));
  autograd::NoGrad ng;
  nn::EvalMode em(m);
  return pruning_sweep(
      importance, shares, [&](const std::vector<uint8_t>& mask) { m.prune_heads(mask); },
      [&](PrunePoint& p) {
        std::vector<Translation> out;
        p.seconds = fastest(repeats, [&] {
          out.clear();
          for (size_t i = 0; i < texts.size(); i += 100) {  // batches of 100, as evaluate_dates
            std::vector<std::string> part(texts.begin() + i, texts.begin() + std::min(texts.size(), i + 100));
            for (auto& tr : t.translate(part)) out.push_back(std::move(tr));
          }
        });
        std::vector<std::string> hyps;
        int64_t exact = 0;
        for (size_t i = 0; i < out.size(); ++i) {
          exact += out[i].target_tokens == held_out[i].target;
          hyps.push_back(spaced(out[i].target_tokens));
        }
        p.quality = held_out.empty() ? 0 : static_cast<double>(exact) / static_cast<double>(held_out.size());
        p.bleu = data::corpus_bleu(hyps, refs).score;
      });
}

}  // namespace attnscope::models
