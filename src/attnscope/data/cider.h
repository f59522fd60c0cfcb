// CIDEr-D (Vedantam, Zitnick & Parikh 2015), as the coco-caption scorer computes it: per n = 1..4,
// TF-IDF vectors of n-grams (document frequency over the corpus's reference sets, idf =
// log(#images) - log(max(1, df))), the candidate's counts clipped to the reference's, a Gaussian
// penalty exp(-d^2 / (2 * 6^2)) on the difference d of their bigram counts; the mean over n of
// the cosine, averaged over references, times 10; the corpus score is the mean over images.
// Sentences are lower-cased and split on spaces (tokenize them before, e.g. "circle ," not "circle,").
#pragma once
#include <string>
#include <vector>

namespace attnscope::data {

struct CiderScore {
  double score = 0;                 // corpus CIDEr-D
  std::vector<double> per_image;    // one per hypothesis
};

// hypotheses[i] is scored against references[i] (one or more). ValueError when the sizes differ
// or an image has no reference.
CiderScore corpus_cider_d(const std::vector<std::string>& hypotheses,
                          const std::vector<std::vector<std::string>>& references);

}  // namespace attnscope::data
