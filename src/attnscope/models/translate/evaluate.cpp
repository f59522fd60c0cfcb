#include "attnscope/models/translate/evaluate.h"

#include <algorithm>
#include <iterator>

#include "attnscope/data/bleu.h"
#include "attnscope/data/chrf.h"
#include "attnscope/focus/alignment.h"

namespace attnscope::models {
namespace {
constexpr uint64_t kHeldOutSeedOffset = 0x5eed0ff5e7ULL;
}  // namespace

std::vector<data::DateExample> held_out_dates(int64_t n, uint64_t seed) {
  return data::date_dataset(n, seed ^ kHeldOutSeedOffset);
}

std::vector<data::SentencePair> read_pairs(const std::string& spec, int64_t max_pairs) {
  const size_t comma = spec.find(',');
  if (comma != std::string::npos) return data::read_line_pairs(spec.substr(0, comma), spec.substr(comma + 1), max_pairs);
  return data::read_tsv(spec, max_pairs);
}

std::vector<float> cross_attention_matrix(const io::Trace& trace, int64_t* T, int64_t* N) {
  const io::TraceLayer* last = nullptr;
  for (const auto& l : trace.layers)
    if (l.query_seq == "target" && l.key_seq == "source" && l.keep == io::TraceKeep::dense) last = &l;
  if (!last) return {};
  *T = last->queries;
  *N = last->keys;
  std::vector<float> m(last->queries * last->keys, 0.f);
  for (int64_t h = 0; h < last->heads; ++h)
    for (size_t i = 0; i < m.size(); ++i) m[i] += last->weights[h * m.size() + i] / last->heads;
  return m;
}

TranslateEval evaluate_pairs(Translator& t, const std::vector<data::SentencePair>& pairs, const DecodeOptions& opt) {
  TranslateEval ev;
  std::vector<std::string> hyps, refs;
  for (size_t i = 0; i < pairs.size(); i += 64) {
    std::vector<std::string> src;
    for (size_t j = i; j < std::min(pairs.size(), i + 64); ++j) src.push_back(pairs[j].source);
    for (auto& tr : t.translate(src, opt)) hyps.push_back(tr.text);
  }
  int64_t exact = 0;
  for (size_t i = 0; i < pairs.size(); ++i) {
    // The reference as the model would write it (same tokenization and case), for a fair match.
    refs.push_back(t.codec().detokenize_target(t.codec().tokenize_target(pairs[i].target)));
    exact += hyps[i] == refs[i];
  }
  ev.n = static_cast<int64_t>(pairs.size());
  if (ev.n == 0) return ev;
  ev.bleu = data::corpus_bleu(hyps, refs).score;
  ev.chrf = data::corpus_chrf(hyps, refs);
  ev.exact = static_cast<double>(exact) / ev.n;
  return ev;
}

TranslateEval evaluate_dates(Translator& t, const std::vector<data::DateExample>& examples, const DecodeOptions& opt) {
  TranslateEval ev;
  ev.n = static_cast<int64_t>(examples.size());
  if (ev.n == 0) return ev;
  int64_t exact = 0;
  focus::AlignmentCount align;
  for (size_t i = 0; i < examples.size(); i += 100) {
    std::vector<std::string> texts;
    for (size_t j = i; j < std::min(examples.size(), i + 100); ++j) texts.push_back(examples[j].text);
    auto out = t.translate(texts, opt);
    for (size_t j = 0; j < out.size(); ++j) {
      const auto& ex = examples[i + j];
      exact += out[j].target_tokens == ex.target;
    }
  }
  // AER counts per (cross-attention layer, head); head index H of a layer holds the head mean.
  // Per head: argmax links, then one count per threshold.
  constexpr size_t kModes = 1 + std::size(kAerThresholds);
  std::vector<std::pair<std::string, std::vector<focus::AerCounts>>> aer;
  for (const auto& ex : examples) {
    io::Trace tr = t.trace_pair(ex.source, ex.target);
    int64_t T = 0, N = 0;
    auto m = cross_attention_matrix(tr, &T, &N);
    if (!m.empty()) align += focus::alignment_accuracy(m.data(), T, N, ex.gold);
    focus::Links sure;
    for (size_t q = 0; q < ex.gold.size(); ++q)
      for (int s : ex.gold[q]) sure.insert({s, static_cast<int>(q)});
    size_t site = 0;
    for (const auto& L : tr.layers) {
      if (L.query_seq != "target" || L.key_seq != "source" || L.keep != io::TraceKeep::dense) continue;
      if (aer.size() <= site) aer.push_back({L.name, std::vector<focus::AerCounts>((L.heads + 1) * kModes)});
      const int64_t QN = L.queries * L.keys, rows = std::min<int64_t>(L.queries, static_cast<int64_t>(ex.gold.size()));
      std::vector<float> mean(QN, 0.f);
      for (int64_t h = 0; h <= L.heads; ++h) {
        const float* w = h < L.heads ? L.weights.data() + h * QN : mean.data();
        if (h < L.heads)
          for (int64_t i = 0; i < QN; ++i) mean[i] += w[i] / L.heads;
        focus::Links pred;  // argmax links of the rows that have gold ("-" has none: not scored)
        for (const auto& [s, q] : focus::argmax_links(w, rows, L.keys))
          if (!ex.gold[q].empty()) pred.insert({s, q});
        aer[site].second[h * kModes].add(pred, sure, {});
        for (size_t m = 1; m < kModes; ++m) {
          focus::Links above;
          for (int64_t q = 0; q < rows; ++q)
            if (!ex.gold[q].empty())
              for (int64_t k = 0; k < L.keys; ++k)
                if (w[q * L.keys + k] >= kAerThresholds[m - 1]) above.insert({static_cast<int>(k), static_cast<int>(q)});
          aer[site].second[h * kModes + m].add(above, sure, {});
        }
      }
      ++site;
    }
  }
  ev.exact = static_cast<double>(exact) / ev.n;
  ev.alignment = align.total ? align.accuracy() : -1;
  for (const auto& [name, counts] : aer) {
    const size_t heads = counts.size() / kModes;
    for (size_t h = 0; h < heads; ++h) {
      HeadAer a{name, h + 1 == heads ? -1 : static_cast<int64_t>(h), counts[h * kModes].aer(), 2.0, 0.0};
      for (size_t m = 1; m < kModes; ++m)
        if (counts[h * kModes + m].aer() < a.aer_threshold) {
          a.aer_threshold = counts[h * kModes + m].aer();
          a.threshold = kAerThresholds[m - 1];
        }
      ev.aer.push_back(a);
    }
  }
  return ev;
}

const HeadAer* TranslateEval::best_aer() const {
  const HeadAer* best = nullptr;
  for (const auto& a : aer)
    if (!best || a.aer < best->aer) best = &a;
  return best;
}

}  // namespace attnscope::models
