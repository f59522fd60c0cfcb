// Sentiment data: the word splitter, the one reader (SST, TSV, CSV; headers; word and number
// labels; malformed files), splits, and the built-in reviews' gold rationales.
#include "attnscope/data/sentiment.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "attnscope/core/error.h"
#include "shared_data.h"

using attnscope::testing::shared_data_dir;

namespace attnscope::data {
namespace {

namespace fs = std::filesystem;


fs::path scratch(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("attnscope_sent_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

using W = std::vector<std::string>;

TEST(SentimentWords, PennTreebankStyle) {
  EXPECT_EQ(sentiment_words("It wasn't BAD, really!"), (W{"it", "was", "n't", "bad", ",", "really", "!"}));
  EXPECT_EQ(sentiment_words("  the cast's work (mostly) ... fine "),
            (W{"the", "cast", "'s", "work", "-lrb-", "mostly", "-rrb-", "...", "fine"}));
  // Idempotent on SST's tokenized text.
  const W sst = {"it", "wo", "n't", "-lrb-", "sit", "-rrb-", "still", "..."};
  std::string joined;
  for (const auto& w : sst) joined += w + " ";
  EXPECT_EQ(sentiment_words(joined), sst);
  EXPECT_TRUE(sentiment_words(" \t\n").empty());
}

TEST(LabeledText, ReadsSstTsvAndCsv) {
  const fs::path d = scratch("formats");
  const auto sst = read_labeled_text(write(d / "a.train", "1 a great film .\n0 dull .\n\n"));
  ASSERT_EQ(sst.examples.size(), 2u);
  EXPECT_EQ(sst.labels, (W{"negative", "positive"}));
  EXPECT_EQ(sst.examples[0].label, 1);
  EXPECT_EQ(sst.examples[1].words, (W{"dull", "."}));

  // UCI: text<TAB>label, raw text, with a header line.
  const auto tsv = read_labeled_text(write(d / "u.txt", "sentence\tlabel\nGreat phone.\t1\nIt broke!\t0\n"));
  ASSERT_EQ(tsv.examples.size(), 2u);
  EXPECT_EQ(tsv.examples[0].words, (W{"great", "phone", "."}));
  EXPECT_EQ(tsv.examples[1].label, 0);

  // CSV, label first, quoted text with commas and quotes, word labels.
  const auto csv = read_labeled_text(write(d / "c.csv", "label,text\npositive,\"fun, \"\"smart\"\" film\"\nneg,boring\n"));
  ASSERT_EQ(csv.examples.size(), 2u);
  EXPECT_EQ(csv.labels, (W{"negative", "positive"}));
  EXPECT_EQ(csv.examples[0].label, 1);
  EXPECT_EQ(csv.examples[0].words, (W{"fun", ",", "\"", "smart", "\"", "film"}));
  EXPECT_EQ(csv.examples[1].label, 0);

  // Five SST-5 names, and other words sorted.
  const auto five = read_labeled_text(write(d / "f.tsv", "ok\tneutral\nsuperb\tvery positive\n"));
  EXPECT_EQ(five.labels.size(), 5u);
  EXPECT_EQ(five.examples[1].label, 4);
  const auto other = read_labeled_text(write(d / "o.tsv", "x\tspam\ny\tham\n"));
  EXPECT_EQ(other.labels, (W{"ham", "spam"}));
}

TEST(LabeledText, MalformedFilesNameTheLine) {
  const fs::path d = scratch("bad");
  auto msg = [](const std::string& path) {
    try {
      read_labeled_text(path);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(msg(write(d / "mixed.tsv", "good\t1\nbad\tnegative\n")).find("line 2: labels mix"), std::string::npos);
  // Bytes that are not UTF-8 are refused at their line, not at the checkpoint's JSON after training.
  EXPECT_NE(msg(write(d / "latin1.tsv", "good\t1\ncaf\xe9 bad\t0\n")).find("line 2: not valid UTF-8"), std::string::npos);
  EXPECT_NE(msg(write(d / "badlabel.tsv", "good\t1\nbad\t-1\n")).find("line 2"), std::string::npos);
  EXPECT_NE(msg(write(d / "empty.tsv", "good\t1\n  \t0\n")).find("line 2: empty text"), std::string::npos);
  EXPECT_NE(msg(write(d / "none.txt", "\n\n")).find("cannot tell the format"), std::string::npos);
  EXPECT_NE(msg(write(d / "quote.csv", "a,1\n\"open,0\n")).find("line 2"), std::string::npos);
  EXPECT_THROW(read_labeled_text((d / "missing.tsv").string()), IoError);
  EXPECT_THROW(parse_text_format("xml"), ConfigError);
}

TEST(LabeledText, SplitsADirectoryOrOneFile) {
  const fs::path d = scratch("splits");
  write(d / "train.tsv", "good\tpositive\nbad\tnegative\n");
  write(d / "dev.tsv", "fine\tpositive\n");
  write(d / "test.tsv", "awful\tnegative\n");
  const auto s = read_sentiment_data(d.string(), 2, TextFormat::automatic, 1);
  EXPECT_EQ(s.train.examples.size(), 2u);
  ASSERT_EQ(s.test.examples.size(), 1u);
  EXPECT_EQ(s.test.examples[0].label, 0);  // "negative" in the train split's classes

  std::string many;
  for (int i = 0; i < 100; ++i) many += "word" + std::to_string(i) + "\t" + std::to_string(i % 2) + "\n";
  const std::string one = write(d / "all.tsv", many);
  const auto a = read_sentiment_data(one, 2, TextFormat::automatic, 1), b = read_sentiment_data(one, 2, TextFormat::automatic, 1);
  EXPECT_EQ(a.train.examples.size(), 80u);
  EXPECT_EQ(a.dev.examples.size(), 10u);
  EXPECT_EQ(a.test.examples.size(), 10u);
  EXPECT_EQ(a.test.examples[3].words, b.test.examples[3].words);  // the seed fixes the split
  EXPECT_THROW(read_sentiment_data(write(d / "tiny.tsv", "a\t1\nb\t0\n"), 2, TextFormat::automatic, 1), FormatError);
}

TEST(BuiltinReviews, RationalesPointAtTheDecidingWords) {
  const LabeledSet set = generate_reviews(2000, 7);
  EXPECT_EQ(generate_reviews(2000, 7).examples[1234].words, set.examples[1234].words);
  int negated = 0, positive = 0;
  const std::set<std::string> pos = {"good", "great", "excellent", "wonderful", "brilliant", "delightful",
                                     "superb", "charming", "enjoyable", "fantastic", "lovely", "gripping"};
  for (const auto& ex : set.examples) {
    ASSERT_EQ(ex.rationale.size(), 1u);
    const std::string& word = ex.words.at(ex.rationale[0]);
    const bool word_positive = pos.count(word) > 0;
    if (ex.negator >= 0) {
      ++negated;
      const std::string& neg = ex.words.at(ex.negator);
      EXPECT_TRUE(neg == "not" || neg == "never") << neg;
      EXPECT_EQ(ex.label, word_positive ? 0 : 1);  // negation flips the word's polarity
    } else {
      EXPECT_EQ(ex.label, word_positive ? 1 : 0);
    }
    positive += ex.label;
  }
  EXPECT_GT(negated, 350);  // about a quarter
  EXPECT_LT(negated, 650);
  EXPECT_GT(positive, 850);  // balanced
  EXPECT_LT(positive, 1150);
  const auto splits = builtin_reviews();
  EXPECT_EQ(splits.train.examples.size(), 6000u);
  EXPECT_EQ(splits.test.examples.size(), 1000u);
}

TEST(LabeledText, ReadsTheRealSstAndUciFiles) {
  if (!fs::exists(shared_data_dir())) GTEST_SKIP() << "../shared/data is absent (real-data test)";
  const auto sst2 = read_sentiment_data(shared_data_dir() + "/sst2_sentences", 2, TextFormat::automatic, 1);
  EXPECT_EQ(sst2.train.examples.size(), 6920u);
  EXPECT_EQ(sst2.dev.examples.size(), 872u);
  EXPECT_EQ(sst2.test.examples.size(), 1821u);
  EXPECT_EQ(sst2.train.labels, (W{"negative", "positive"}));
  const auto sst5 = read_sentiment_data(shared_data_dir() + "/sst2_sentences", 5, TextFormat::automatic, 1);
  EXPECT_EQ(sst5.train.examples.size(), 8544u);
  EXPECT_EQ(sst5.test.examples.size(), 2210u);
  EXPECT_EQ(sst5.train.labels.size(), 5u);
  for (const char* f : {"amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt"}) {
    const auto uci = read_labeled_text(shared_data_dir() + "/uci_sentiment_labelled_sentences/" + f);
    EXPECT_EQ(uci.examples.size(), 1000u) << f;
    EXPECT_EQ(uci.labels, (W{"negative", "positive"}));
  }
}

}  // namespace
}  // namespace attnscope::data
