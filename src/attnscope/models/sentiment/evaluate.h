// Sentiment metrics: accuracy, macro-F1 and the confusion matrix on labelled sentences, and
// rationale accuracy on the built-in reviews (does the model attend the word that decides?).
#pragma once
#include <string>
#include <vector>

#include "attnscope/data/sentiment.h"
#include "attnscope/models/sentiment/classifier.h"

namespace attnscope::models {

struct SentimentEval {
  int64_t n = 0;
  double accuracy = 0, macro_f1 = 0;
  std::vector<std::vector<int64_t>> confusion;  // [gold][predicted]
  // Built-in reviews with attention pooling: share whose most-attended word is a gold sentiment
  // word (negated reviews: and whose top two include the negator); -1 when not measurable.
  double rationale = -1;
  // The same over the reviews without / with a negator (-1: none of them).
  double rationale_plain = -1, rationale_negated = -1;
};

// The model's label index of each of `set`'s labels, matched by name (FormatError for a class
// the model lacks).
std::vector<int64_t> model_labels(const SentimentClassifier& model, const data::LabeledSet& set);

// `set`'s labels are matched to the model's by name (FormatError for a class the model lacks).
SentimentEval evaluate_sentiment(SentimentClassifier& model, const data::LabeledSet& set, int64_t batch = 256);

// "sentiment: accuracy=NN.N% n=N" (the line checks read), then macro-F1, rationale, confusion.
std::vector<std::string> sentiment_report(const SentimentEval& ev, const std::vector<std::string>& labels);

}  // namespace attnscope::models
