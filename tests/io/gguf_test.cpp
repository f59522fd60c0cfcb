// GGUF reader: llama.cpp's vocab files from ../shared/data, and files written here (tensors,
// every truncation, corruptions) that must fail with FormatError, never crash.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/io/gguf.h"
#include "attnscope/core/half.h"
#include "shared_data.h"

using namespace attnscope;
using namespace attnscope::io;

namespace {

std::string vectors_dir() { return attnscope::testing::shared_data_dir() + "/tokenizer_vectors_llamacpp"; }

// A minimal GGUF writer for the tests.
struct Writer {
  std::string b;
  template <class T>
  void put(T v) { b.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void str(const std::string& s) { put<uint64_t>(s.size()); b += s; }
  void align(size_t a) { while (b.size() % a) b.push_back('\0'); }
};

std::string make_file() {
  Writer w;
  w.b = "GGUF";
  w.put<uint32_t>(3);
  w.put<uint64_t>(2);  // tensors
  w.put<uint64_t>(4);  // keys
  w.str("general.architecture"); w.put<uint32_t>(8); w.str("llama");
  w.str("llama.block_count"); w.put<uint32_t>(4); w.put<uint32_t>(5);
  w.str("tokenizer.ggml.scores"); w.put<uint32_t>(9); w.put<uint32_t>(6); w.put<uint64_t>(2); w.put<float>(-1.5f); w.put<float>(2.f);
  w.str("tokenizer.ggml.tokens"); w.put<uint32_t>(9); w.put<uint32_t>(8); w.put<uint64_t>(2); w.str("a"); w.str("\xE2\x96\x81" "b");
  // tensor "w": PyTorch shape [2, 3] is ne = {3, 2}; F32 at offset 0
  w.str("w"); w.put<uint32_t>(2); w.put<uint64_t>(3); w.put<uint64_t>(2); w.put<uint32_t>(0); w.put<uint64_t>(0);
  // tensor "h": [4] F16 at offset 32
  w.str("h"); w.put<uint32_t>(1); w.put<uint64_t>(4); w.put<uint32_t>(1); w.put<uint64_t>(32);
  w.align(32);
  for (int i = 0; i < 6; ++i) w.put<float>(static_cast<float>(i) + 0.5f);
  w.align(32);
  for (float f : {1.f, -2.f, 0.25f, 65504.f}) w.put<uint16_t>(f32_to_f16(f));
  return w.b;
}

}  // namespace

TEST(Gguf, ReadsMetadataAndTensors) {
  const GgufFile f = GgufFile::from_bytes(make_file(), "test.gguf");
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.get_string("general.architecture"), "llama");
  EXPECT_EQ(f.get_int("llama.block_count"), 5);
  EXPECT_EQ(f.get_numbers("tokenizer.ggml.scores"), (std::vector<double>{-1.5, 2.0}));
  EXPECT_EQ(f.get_strings("tokenizer.ggml.tokens")[1], "\xE2\x96\x81" "b");
  EXPECT_EQ(f.get_int("missing", 7), 7);
  EXPECT_THROW(f.get_int("general.architecture"), FormatError);
  EXPECT_THROW(f.get_string("nope"), FormatError);
  ASSERT_EQ(f.tensors().size(), 2u);
  EXPECT_EQ(f.tensor("w").shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(f.read_f32("w"), (std::vector<float>{0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f}));
  EXPECT_EQ(f.read_f32("h"), (std::vector<float>{1.f, -2.f, 0.25f, 65504.f}));
  EXPECT_THROW(f.read_f32("x"), FormatError);
}

TEST(Gguf, EveryTruncationIsAFormatError) {
  const std::string full = make_file();
  for (size_t n = 0; n < full.size(); ++n)
    EXPECT_THROW(GgufFile::from_bytes(full.substr(0, n), "cut.gguf"), FormatError) << "length " << n;
}

TEST(Gguf, CorruptionsAreNamed) {
  auto expect_error = [](std::string bytes, const std::string& needle) {
    try {
      GgufFile::from_bytes(std::move(bytes), "bad.gguf");
      ADD_FAILURE() << "no error, expected '" << needle << "'";
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  std::string f = make_file();
  std::string bad = f;
  bad[0] = 'X';
  expect_error(bad, "magic");
  bad = f;
  bad[4] = 9;
  expect_error(bad, "version 9");
  bad = f;
  std::memset(&bad[8], 0xFF, 8);
  expect_error(bad, "implausible");
  // The string length of the first key made huge.
  bad = f;
  std::memset(&bad[24], 0x7F, 8);
  expect_error(bad, "truncated");
  // Quantized tensor type: readable metadata, a clear error on read.
  bad = f;
  const size_t type_pos = bad.find(std::string("w\x02\0\0\0", 5)) + 5 + 16;
  bad[type_pos] = 2;  // Q4_0
  GgufFile q = GgufFile::from_bytes(bad, "q.gguf");
  try {
    q.read_f32("w");
    ADD_FAILURE();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("Q4_0"), std::string::npos) << e.what();
  }
}

TEST(Gguf, LlamaCppVocabFiles) {
  if (!std::filesystem::exists(vectors_dir())) GTEST_SKIP() << "../shared/data is absent (real-data test)";
  const GgufFile gpt2 = GgufFile::open(vectors_dir() + "/ggml-vocab-gpt-2.gguf");
  EXPECT_EQ(gpt2.get_string("tokenizer.ggml.model"), "gpt2");
  EXPECT_EQ(gpt2.get_strings("tokenizer.ggml.tokens").size(), 50257u);
  EXPECT_EQ(gpt2.get_strings("tokenizer.ggml.merges").size(), 50000u);
  EXPECT_EQ(gpt2.get_int("tokenizer.ggml.bos_token_id"), 50256);
  EXPECT_TRUE(gpt2.tensors().empty());
  const GgufFile spm = GgufFile::open(vectors_dir() + "/ggml-vocab-llama-spm.gguf");
  EXPECT_EQ(spm.get_string("tokenizer.ggml.model"), "llama");
  EXPECT_EQ(spm.get_numbers("tokenizer.ggml.scores").size(), 32000u);
  EXPECT_EQ(spm.get_numbers("tokenizer.ggml.token_type").size(), 32000u);
  const GgufFile bert = GgufFile::open(vectors_dir() + "/ggml-vocab-bert-bge.gguf");
  EXPECT_EQ(bert.get_string("tokenizer.ggml.model"), "bert");
  EXPECT_EQ(bert.get_int("tokenizer.ggml.seperator_token_id", bert.get_int("tokenizer.ggml.separator_token_id", -1)), 102);
}
