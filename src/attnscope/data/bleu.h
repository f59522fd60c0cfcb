// Corpus BLEU, compatible with sacreBLEU's defaults (13a tokenization, n-grams up to 4,
// brevity penalty over the corpus, 'exp' smoothing), with one or several references per hypothesis
// (several: n-gram counts clipped to their largest count in any reference, and the reference
// length the one closest to the hypothesis, the shorter on a tie, as sacreBLEU does).
// Papineni et al. 2002; Post 2018 (sacreBLEU).
#pragma once
#include <string>
#include <vector>

namespace attnscope::data {

// sacreBLEU's "13a" tokenizer (mteval-v13a): splits punctuation, keeps decimals like 3.5 together.
std::string tokenize_13a(const std::string& line);

struct BleuScore {
  double score = 0;             // 0..100
  double precisions[4] = {};    // modified n-gram precisions, percent
  double brevity_penalty = 0;
  long hyp_len = 0, ref_len = 0;
};

BleuScore corpus_bleu(const std::vector<std::string>& hypotheses,
                      const std::vector<std::string>& references);
// references[i]: the references of hypotheses[i] (at least one). ShapeError when sizes differ,
// ValueError for a hypothesis without references.
BleuScore corpus_bleu(const std::vector<std::string>& hypotheses,
                      const std::vector<std::vector<std::string>>& references);

}  // namespace attnscope::data
