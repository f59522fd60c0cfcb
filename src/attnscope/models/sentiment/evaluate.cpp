#include "attnscope/models/sentiment/evaluate.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "attnscope/core/error.h"

namespace attnscope::models {

std::vector<int64_t> model_labels(const SentimentClassifier& model, const data::LabeledSet& set) {
  const auto& names = model.config().labels;
  std::vector<int64_t> to_model(set.labels.size());
  for (size_t i = 0; i < set.labels.size(); ++i) {
    auto it = std::find(names.begin(), names.end(), set.labels[i]);
    if (it == names.end()) throw FormatError("the data has class '" + set.labels[i] + "', which the model does not know");
    to_model[i] = it - names.begin();
  }
  return to_model;
}

SentimentEval evaluate_sentiment(SentimentClassifier& model, const data::LabeledSet& set, int64_t batch) {
  const std::vector<int64_t> to_model = model_labels(model, set);
  const size_t K = model.config().labels.size();
  SentimentEval ev;
  ev.confusion.assign(K, std::vector<int64_t>(K, 0));
  int64_t rationale_n[2] = {0, 0}, rationale_hit[2] = {0, 0};  // [plain, negated]
  for (size_t start = 0; start < set.examples.size(); start += batch) {
    const size_t end = std::min(set.examples.size(), start + static_cast<size_t>(batch));
    std::vector<std::vector<std::string>> words;
    for (size_t i = start; i < end; ++i) words.push_back(set.examples[i].words);
    const auto preds = model.predict(words);
    for (size_t i = start; i < end; ++i) {
      const data::LabeledText& ex = set.examples[i];
      const auto& p = preds[i - start];
      ++ev.confusion[to_model[ex.label]][p.label];
      if (ex.rationale.empty() || p.weights.empty()) continue;
      const int negated = ex.negator >= 0;
      ++rationale_n[negated];
      std::vector<int64_t> order(p.weights.size());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return p.weights[a] > p.weights[b]; });
      bool hit = std::find(ex.rationale.begin(), ex.rationale.end(), order[0]) != ex.rationale.end();
      if (hit && ex.negator >= 0)
        hit = order.size() > 1 && (order[1] == ex.negator || order[0] == ex.negator);
      rationale_hit[negated] += hit;
    }
  }
  ev.n = static_cast<int64_t>(set.examples.size());
  int64_t correct = 0;
  double f1_sum = 0;
  int64_t f1_classes = 0;
  for (size_t c = 0; c < K; ++c) {
    correct += ev.confusion[c][c];
    int64_t gold = 0, pred = 0;
    for (size_t o = 0; o < K; ++o) {
      gold += ev.confusion[c][o];
      pred += ev.confusion[o][c];
    }
    if (gold == 0 && pred == 0) continue;  // a class absent from the data and never predicted
    ++f1_classes;
    f1_sum += gold + pred > 0 ? 2.0 * ev.confusion[c][c] / static_cast<double>(gold + pred) : 0;
  }
  ev.accuracy = ev.n ? static_cast<double>(correct) / ev.n : 0;
  ev.macro_f1 = f1_classes ? f1_sum / f1_classes : 0;
  const int64_t n_all = rationale_n[0] + rationale_n[1];
  if (n_all) ev.rationale = static_cast<double>(rationale_hit[0] + rationale_hit[1]) / n_all;
  if (rationale_n[0]) ev.rationale_plain = static_cast<double>(rationale_hit[0]) / rationale_n[0];
  if (rationale_n[1]) ev.rationale_negated = static_cast<double>(rationale_hit[1]) / rationale_n[1];
  return ev;
}

std::vector<std::string> sentiment_report(const SentimentEval& ev, const std::vector<std::string>& labels) {
  std::vector<std::string> lines;
  char buf[160];
  std::snprintf(buf, sizeof buf, "sentiment: accuracy=%.1f%% n=%lld", 100 * ev.accuracy, static_cast<long long>(ev.n));
  lines.push_back(buf);
  std::snprintf(buf, sizeof buf, "macro-F1: %.1f%%", 100 * ev.macro_f1);
  lines.push_back(buf);
  if (ev.rationale >= 0) {
    std::snprintf(buf, sizeof buf, "rationale: accuracy=%.1f%%", 100 * ev.rationale);
    std::string line = buf;
    if (ev.rationale_plain >= 0 && ev.rationale_negated >= 0) {
      std::snprintf(buf, sizeof buf, " (without negation %.1f%%, negated %.1f%%)", 100 * ev.rationale_plain, 100 * ev.rationale_negated);
      line += buf;
    }
    lines.push_back(line);
  }
  // Confusion matrix: rows gold, columns predicted.
  size_t w = 6;
  for (const auto& l : labels) w = std::max(w, l.size() + 1);
  std::string head = "confusion (rows gold, columns predicted):\n" + std::string(w, ' ');
  for (const auto& l : labels) head += std::string(w - l.size(), ' ') + l;
  lines.push_back(head);
  for (size_t g = 0; g < labels.size(); ++g) {
    std::string row = labels[g] + std::string(w - labels[g].size(), ' ');
    for (size_t p = 0; p < labels.size(); ++p) {
      const std::string v = std::to_string(ev.confusion[g][p]);
      row += std::string(w > v.size() ? w - v.size() : 1, ' ') + v;
    }
    lines.push_back(row);
  }
  return lines;
}

}  // namespace attnscope::models
