// Attention as alignment: how well a model's focus agrees with gold word alignments.
//  - alignment accuracy: the share of target positions (with a gold link) whose most-attended
//    source position is a gold one (the metric of the date demo and `eval translate`);
//  - AER (Och & Ney 2003) of alignments extracted from attention: 1 - (|A∩S| + |A∩P|) / (|A| + |S|).
#pragma once
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

namespace attnscope::focus {

struct AlignmentCount {
  int64_t correct = 0, total = 0;
  double accuracy() const { return total ? static_cast<double>(correct) / total : 0.0; }
  AlignmentCount& operator+=(const AlignmentCount& o) {
    correct += o.correct;
    total += o.total;
    return *this;
  }
};

// weights: [T, N] row-major (one row per target position). gold[t]: gold source indices for
// target t (empty = no gold, not counted). Rows beyond gold.size() are ignored. The most-attended
// source is focus::row_argmax (a row with no positive weight points nowhere: counted wrong).
AlignmentCount alignment_accuracy(const float* weights, int64_t T, int64_t N,
                                  const std::vector<std::vector<int>>& gold);

using Links = std::set<std::pair<int, int>>;  // (source index, target index), 0-based
// The argmax source (focus::row_argmax) of every target row as links; rows with no positive
// weight give none.
Links argmax_links(const float* weights, int64_t T, int64_t N);
// AER of predicted links A against sure S and possible P (S is a subset of P; P is extended by S).
double alignment_error_rate(const Links& predicted, const Links& sure, const Links& possible);

// Corpus AER: the link counts of many sentences, summed (Och & Ney's AER is over the corpus, not
// a mean of sentence AERs). precision = |A∩P| / |A|, recall = |A∩S| / |S|.
struct AerCounts {
  int64_t predicted = 0, sure = 0, hit_sure = 0, hit_possible = 0;
  void add(const Links& predicted, const Links& sure, const Links& possible);
  AerCounts& operator+=(const AerCounts& o);
  double aer() const;
  double precision() const;
  double recall() const;
};

}  // namespace attnscope::focus
