#include "attnscope/models/sentiment/faithfulness.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/focus/rank_correlation.h"
#include "attnscope/nn/eval_mode.h"

namespace attnscope::models {
namespace {

using Words = std::vector<std::string>;

Words without(const Words& w, const std::vector<int64_t>& drop) {
  Words out;
  for (int64_t i = 0; i < static_cast<int64_t>(w.size()); ++i)
    if (std::find(drop.begin(), drop.end(), i) == drop.end()) out.push_back(w[i]);
  return out;
}

// |gradient x input| per word of each sentence, for the predicted classes (eval mode).
std::vector<std::vector<double>> gradient_x_input(SentimentClassifier& m, const std::vector<Words>& sentences,
                                                  const std::vector<int64_t>& predicted) {
  std::vector<std::vector<int64_t>> rows;
  for (const auto& s : sentences) rows.push_back(m.encode(s));
  const ClassifierBatch b = make_classifier_batch(rows, m.min_columns());
  Tensor x = m.embed(b).detach();
  x.requires_grad_();
  const Tensor loss = ops::cross_entropy(m.classify(x, b).logits, predicted);  // -mean log p(pred)
  autograd::backward(loss);
  const std::vector<double> g = x.grad().contiguous().to_vector_f64(), xv = x.contiguous().to_vector_f64();
  const int64_t E = x.size(2);
  std::vector<std::vector<double>> out(sentences.size());
  for (int64_t i = 0; i < b.B; ++i)
    for (int64_t t = 0; t < b.lengths[i]; ++t) {
      double s = 0;
      for (int64_t e = 0; e < E; ++e) s += g[(i * b.T + t) * E + e] * xv[(i * b.T + t) * E + e];
      out[i].push_back(std::abs(s));
    }
  return out;
}

}  // namespace

Faithfulness measure_faithfulness(SentimentClassifier& model, const data::LabeledSet& set, int max_k, uint64_t seed,
                                  int64_t max_sentences) {
  if (model.config().pooling != "attention") throw ConfigError("faithfulness needs a model with attention pooling");
  const auto& names = model.config().labels;
  std::vector<const data::LabeledText*> examples;
  for (const auto& ex : set.examples) {
    if (max_sentences > 0 && static_cast<int64_t>(examples.size()) >= max_sentences) break;
    examples.push_back(&ex);
  }
  auto gold_of = [&](const data::LabeledText& ex) {
    return std::find(names.begin(), names.end(), set.labels.at(ex.label)) - names.begin();
  };
  nn::EvalMode eval_mode(model);
  Faithfulness f;
  f.erase_attention.assign(max_k + 1, 0);
  f.erase_random.assign(max_k + 1, 0);
  Rng rng(seed);
  double tau_loo = 0, tau_grad = 0;
  const size_t chunk = 64;
  for (size_t start = 0; start < examples.size(); start += chunk) {
    const size_t end = std::min(examples.size(), start + chunk);
    std::vector<Words> sentences;
    for (size_t i = start; i < end; ++i) sentences.push_back(examples[i]->words);
    std::vector<Classification> full;
    {
      autograd::NoGrad ng;
      full = model.predict(sentences);
    }
    std::vector<int64_t> predicted;
    for (const auto& c : full) predicted.push_back(c.label);
    const auto gxi = gradient_x_input(model, sentences, predicted);
    autograd::NoGrad ng;
    for (size_t i = 0; i < sentences.size(); ++i) {
      const Words& w = sentences[i];
      const int64_t n = static_cast<int64_t>(w.size()), gold = gold_of(*examples[start + i]);
      const auto& att = full[i].weights;
      // Erasure: the k most attended words against k random ones (at least one word stays).
      std::vector<int64_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return att[a] > att[b]; });
      std::vector<int64_t> shuffled = order;
      for (int64_t j = n - 1; j > 0; --j) std::swap(shuffled[j], shuffled[rng.below(j + 1)]);
      std::vector<Words> erased;
      for (int k = 0; k <= max_k; ++k) {
        const int64_t kk = std::min<int64_t>(k, n - 1);
        erased.push_back(without(w, {order.begin(), order.begin() + kk}));
        erased.push_back(without(w, {shuffled.begin(), shuffled.begin() + kk}));
      }
      const auto ep = model.predict(erased);
      for (int k = 0; k <= max_k; ++k) {
        f.erase_attention[k] += ep[2 * k].label == gold;
        f.erase_random[k] += ep[2 * k + 1].label == gold;
      }
      if (n < 2) continue;
      // Leave-one-out importance of each word.
      std::vector<Words> loo;
      for (int64_t j = 0; j < n; ++j) loo.push_back(without(w, {j}));
      const auto lp = model.predict(loo);
      std::vector<double> drop(n);
      for (int64_t j = 0; j < n; ++j) drop[j] = full[i].probs[predicted[i]] - lp[j].probs[predicted[i]];
      const double t1 = focus::kendall_tau(att, drop), t2 = focus::kendall_tau(att, gxi[i]);
      if (std::isnan(t1) || std::isnan(t2)) continue;
      tau_loo += t1;
      tau_grad += t2;
      ++f.sentences;
    }
  }
  if (f.sentences) {
    f.tau_loo = tau_loo / f.sentences;
    f.tau_grad = tau_grad / f.sentences;
  }
  for (int k = 0; k <= max_k; ++k) {
    f.erase_attention[k] /= std::max<size_t>(1, examples.size());
    f.erase_random[k] /= std::max<size_t>(1, examples.size());
  }
  return f;
}

std::vector<std::string> faithfulness_report(const Faithfulness& f) {
  std::vector<std::string> lines;
  char buf[160];
  std::snprintf(buf, sizeof buf, "faithfulness: tau_loo=%.3f tau_gradxinput=%.3f sentences=%lld", f.tau_loo, f.tau_grad,
                static_cast<long long>(f.sentences));
  lines.push_back(buf);
  std::string head = "erasure accuracy  k:", att = "  top-k attended:  ", rnd = "  k random words:  ";
  for (size_t k = 0; k < f.erase_attention.size(); ++k) {
    std::snprintf(buf, sizeof buf, " %6zu", k);
    head += buf;
    std::snprintf(buf, sizeof buf, " %5.1f%%", 100 * f.erase_attention[k]);
    att += buf;
    std::snprintf(buf, sizeof buf, " %5.1f%%", 100 * f.erase_random[k]);
    rnd += buf;
  }
  lines.push_back(head);
  lines.push_back(att);
  lines.push_back(rnd);
  return lines;
}

}  // namespace attnscope::models
