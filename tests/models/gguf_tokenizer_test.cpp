// Tokenizers built from GGUF vocabularies (llama.cpp's vocab-only files) against the 46-case
// test vectors: Llama SentencePiece, GPT-2 byte-level BPE, BERT WordPiece.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "attnscope/core/fs.h"
#include "attnscope/io/gguf.h"
#include "attnscope/models/gguf_tokenizer.h"
#include "attnscope/models/loader.h"
#include "shared_data.h"

using namespace attnscope;

namespace {

std::string vectors_dir() { return attnscope::testing::shared_data_dir() + "/tokenizer_vectors_llamacpp"; }

// Returns the number of the 46 cases that match; checks the round trip when asked.
int match_vectors(const data::Tokenizer& tok, const std::string& stem, bool round_trip) {
  const std::string inp = read_file(stem + ".inp"), out = read_file(stem + ".out");
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::istringstream lines(out);
  int matched = 0, cases = 0;
  for (size_t pos = 0;;) {
    const size_t e = inp.find(sep, pos);
    if (e == std::string::npos) break;
    const std::string text = inp.substr(pos, e - pos);
    pos = e + sep.size();
    std::string line;
    std::getline(lines, line);
    std::istringstream is(line);
    std::vector<int32_t> want;
    for (int32_t id; is >> id;) want.push_back(id);
    const auto got = tok.encode(text);
    EXPECT_EQ(got, want) << "case " << cases << ": '" << text << "'";
    if (round_trip) {
      EXPECT_EQ(tok.decode(got), text) << "round trip of case " << cases;
    }
    matched += got == want;
    ++cases;
  }
  EXPECT_EQ(cases, 46);
  return matched;
}

#define REQUIRE_VECTORS() \
  if (!std::filesystem::exists(vectors_dir())) GTEST_SKIP() << "../shared/data is absent (real-data test)"

}  // namespace

TEST(GgufTokenizer, LlamaSpmVectors) {
  REQUIRE_VECTORS();
  auto tok = models::load_model_tokenizer(vectors_dir() + "/ggml-vocab-llama-spm.gguf");
  EXPECT_EQ(tok->kind(), "sentencepiece");
  EXPECT_EQ(match_vectors(*tok, vectors_dir() + "/ggml-vocab-llama-spm.gguf", true), 46);
  EXPECT_EQ(tok->encode("Hello", true), (std::vector<int32_t>{1, 15043}));
}

TEST(GgufTokenizer, Gpt2Vectors) {
  REQUIRE_VECTORS();
  auto tok = models::tokenizer_from_gguf(io::GgufFile::open(vectors_dir() + "/ggml-vocab-gpt-2.gguf"));
  EXPECT_EQ(tok->kind(), "byte_bpe");
  EXPECT_EQ(match_vectors(*tok, vectors_dir() + "/ggml-vocab-gpt-2.gguf", true), 46);
}

TEST(GgufTokenizer, BertVectors) {
  REQUIRE_VECTORS();
  auto tok = models::tokenizer_from_gguf(io::GgufFile::open(vectors_dir() + "/ggml-vocab-bert-bge.gguf"));
  EXPECT_EQ(tok->kind(), "wordpiece");
  EXPECT_EQ(tok->find("##ing"), 2075);
  EXPECT_EQ(match_vectors(*tok, vectors_dir() + "/ggml-vocab-bert-bge.gguf", false), 46);
}
