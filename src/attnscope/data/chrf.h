// Corpus chrF (Popović 2015), as sacreBLEU computes it by default: character n-grams of order
// 1..6 with whitespace removed, statistics summed over the corpus, precision and recall
// averaged over the orders that occur, then F-beta with beta = 2. Returns 0..100.
#pragma once
#include <string>
#include <vector>

namespace attnscope::data {

double corpus_chrf(const std::vector<std::string>& hypotheses,
                   const std::vector<std::string>& references, int char_order = 6, double beta = 2);

}  // namespace attnscope::data
