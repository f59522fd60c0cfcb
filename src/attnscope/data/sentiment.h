// Labelled text for sentiment analysis: one reader for the formats people have, and the
// built-in reviews that need no files.
//
// Formats (detected from the first lines, or given):
//   sst   "label sentence"   SST's stsa.binary.* / stsa.fine.* (label first, a space, the text)
//   tsv   "text<TAB>label"   or "label<TAB>text"; the UCI Amazon/IMDb/Yelp files are this
//   csv   the same two fields, comma-separated, text may be "quoted, with ""quotes"""
// A header line (its label field is not a label while the next line's is) is skipped. Labels
// are integers 0..K-1 or words: negative/positive (neg/pos), the five SST-5 names
// (very negative .. very positive), or any other words (classes in sorted order). A file that
// mixes number and word labels, an empty text or an unreadable label is a FormatError naming
// the line.
//
// Text is split into lower-cased words the way SST was (Penn-Treebank style: punctuation apart,
// "don't" -> "do n't", "(" -> "-lrb-"), so a model trained on SST reads raw UCI sentences with
// the same vocabulary.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/core/rng.h"

namespace attnscope::data {

struct LabeledText {
  std::vector<std::string> words;
  int64_t label = 0;
  // Built-in reviews only: positions of the gold sentiment word(s) and of the negator (-1: none).
  std::vector<int64_t> rationale;
  int64_t negator = -1;
};

struct LabeledSet {
  std::vector<LabeledText> examples;
  std::vector<std::string> labels;  // class names, index = label
};

enum class TextFormat { automatic, sst, tsv, csv };
TextFormat parse_text_format(const std::string& name);  // "auto", "sst", "tsv", "csv"; ConfigError

// Lower-cased, PTB-style words of raw text (idempotent on SST's already tokenized text).
std::vector<std::string> sentiment_words(const std::string& text);

// Reads one file. IoError when unreadable, FormatError (with file and line) when malformed or
// without any example.
LabeledSet read_labeled_text(const std::string& path, TextFormat format = TextFormat::automatic);

struct SentimentSplits {
  LabeledSet train, dev, test;
};
// A directory in SST's layout (stsa.binary.{train,dev,test} for 2 classes, stsa.fine.* for 5),
// a directory with train/dev/test files (any extension), or one file split 80/10/10 by a seeded
// shuffle. All splits share the train split's label names.
SentimentSplits read_sentiment_data(const std::string& path, int classes, TextFormat format, uint64_t seed);

// The built-in reviews: short generated movie reviews with a known sentiment word (optionally
// intensified, optionally negated: "the plot was not very good" is negative) among neutral
// filler clauses. Gold rationale: the sentiment word; a negated review's negator must be
// attended too. The same `seed` gives the same set; the train/dev/test splits use fixed seeds.
LabeledSet generate_reviews(int64_t n, uint64_t seed);
SentimentSplits builtin_reviews();

}  // namespace attnscope::data
