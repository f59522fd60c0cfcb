#include "attnscope/data/parallel_text.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "attnscope/core/error.h"
#include "attnscope/data/vocab.h"

namespace attnscope::data {
namespace {

std::string write_temp(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() / ("attnscope_pt_" + name);
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

TEST(ParallelText, ReadsTsvSkippingEmptyLinesAndExtraColumns) {
  auto p = write_temp("ok.tsv", "Go.\tVa !\tCC-BY\n\nHi.\tSalut !\r\n");
  auto pairs = read_tsv(p);
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].source, "Go.");
  EXPECT_EQ(pairs[0].target, "Va !");
  EXPECT_EQ(pairs[1].target, "Salut !");
}

TEST(ParallelText, BadTsvLinesAreClearErrors) {
  EXPECT_THROW(read_tsv(write_temp("notab.tsv", "Go.\tVa\nno tab here\n")), FormatError);
  EXPECT_THROW(read_tsv(write_temp("long.tsv", std::string(70000, 'a') + "\tb\n")), FormatError);
  EXPECT_THROW(read_tsv(write_temp("bad_utf8.tsv", "a\xff\tb\n")), FormatError);
  EXPECT_THROW(read_tsv(write_temp("empty.tsv", "\n\n")), FormatError);
  EXPECT_THROW(read_tsv("/nonexistent/file.tsv"), IoError);
  try {
    read_tsv(write_temp("notab2.tsv", "Go.\tVa\nno tab here\n"));
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(":2:"), std::string::npos) << e.what();
  }
}

TEST(ParallelText, LinePairsMustAlign) {
  auto a = write_temp("a.txt", "one\ntwo\n"), b = write_temp("b.txt", "eins\nzwei\n"), c = write_temp("c.txt", "x\n");
  EXPECT_EQ(read_line_pairs(a, b).size(), 2u);
  EXPECT_THROW(read_line_pairs(a, c), FormatError);
}

TEST(ParallelText, WordAndCharTokenizers) {
  EXPECT_EQ(tokenize_words("Hello, World! Don't stop."),
            (std::vector<std::string>{"hello", ",", "world", "!", "don't", "stop", "."}));
  EXPECT_EQ(tokenize_words("Élan ça"), (std::vector<std::string>{"élan", "ça"}));
  auto chars = tokenize_chars("Ab c");
  EXPECT_EQ(chars, (std::vector<std::string>{"a", "b", "\xE2\x96\x81", "c"}));
  EXPECT_EQ(detokenize_chars(chars), "ab c");
  EXPECT_EQ(detokenize_words({"hello", ",", "world", "!"}), "hello, world!");
}

TEST(ParallelText, SplitsAreSeededAndDisjoint) {
  std::vector<SentencePair> pairs;
  for (int i = 0; i < 100; ++i) pairs.push_back({std::to_string(i), "x"});
  auto s = split_pairs(pairs, 0.1, 0.2, 5);
  EXPECT_EQ(s.train.size(), 70u);
  EXPECT_EQ(s.valid.size(), 10u);
  EXPECT_EQ(s.test.size(), 20u);
  EXPECT_EQ(split_pairs(pairs, 0.1, 0.2, 5).test[0].source, s.test[0].source);
}

TEST(Vocab, BuildEncodeDecodeJson) {
  Vocab v = Vocab::build({{"a", "b", "a"}, {"c", "a"}}, 2);
  EXPECT_EQ(v.size(), 5);
  EXPECT_EQ(v.id("a"), 4);
  EXPECT_EQ(v.id("zzz"), Vocab::kUnk);
  EXPECT_EQ(v.encode({"a", "q"}, true), (std::vector<int64_t>{4, 1, 3}));
  EXPECT_EQ(v.decode({2, 4, 1, 3, 4}), (std::vector<std::string>{"a", "<unk>"}));
  Vocab w = Vocab::from_json(v.to_json());
  EXPECT_EQ(w.tokens(), v.tokens());
  EXPECT_THROW(Vocab::from_json("{"), FormatError);
  EXPECT_THROW(Vocab::from_json("[\"a\",\"b\",\"c\",\"d\"]"), FormatError);
  EXPECT_THROW(v.token(99), ValueError);
}

}  // namespace
}  // namespace attnscope::data
