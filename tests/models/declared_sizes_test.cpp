// Issue 17 item 4: sizes declared by a file are checked before anything is allocated.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/models/kv_cache.h"
#include "attnscope/models/loader.h"
#include "attnscope/models/model_config.h"

namespace attnscope::models {
namespace {

namespace fs = std::filesystem;

// A BERT classifier config claiming 2^40 labels built 2^40 label names before reading a weight.
TEST(DeclaredSizes, ClassifierLabelCountIsBounded) {
  const nlohmann::json j = {{"architectures", {"BertForSequenceClassification"}}, {"model_type", "bert"},
                            {"hidden_size", 8}, {"num_hidden_layers", 1}, {"num_attention_heads", 2},
                            {"intermediate_size", 8}, {"vocab_size", 10}, {"max_position_embeddings", 8},
                            {"num_labels", int64_t{1} << 40}};
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(config_from_json(j, "config.json"), ConfigError);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1.0);
}

// A field of the wrong JSON type is a FormatError naming config.json, not the JSON library's
// "[json.exception.type_error.302] type must be boolean" with no file.
TEST(DeclaredSizes, WrongFieldTypesNameTheConfig) {
  nlohmann::json j = {{"architectures", {"LlamaForCausalLM"}}, {"model_type", "llama"}, {"hidden_size", 8},
                      {"num_hidden_layers", 1}, {"num_attention_heads", 2}, {"intermediate_size", 8},
                      {"vocab_size", 10}, {"max_position_embeddings", 8}, {"tie_word_embeddings", 0}};
  try {
    config_from_json(j, "m/config.json");
    ADD_FAILURE() << "a number was read as a boolean";
  } catch (const FormatError& e) {
    EXPECT_EQ(std::string(e.what()), "m/config.json: type must be boolean, but is number");
  }
}

// A 28-byte llama2.c header claiming 2^31 - 1 layers of 1-wide tensors grew a map past 3.7 GB.
TEST(DeclaredSizes, Llama2cHeaderPastTheFileFailsAtOnce) {
  const fs::path p = fs::path(ATTNSCOPE_BINARY_DIR) / "test-tmp" / "declared_sizes_tiny.bin";
  fs::create_directories(p.parent_path());
  const int32_t h[7] = {2, 1, 0x7fffffff, 1, 1, 1, 1};  // dim, hidden, layers, heads, kv heads, vocab, seq
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(h), sizeof h);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(load_model(p.string()), FormatError);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1.0);
}

// A KV cache sized to the config's context took 2.6 GB for a 4-token prompt: it now grows with the
// sequence (kept rows intact), never past the context.
TEST(DeclaredSizes, KvCacheGrowsWithTheSequence) {
  KvCache c;
  c.configure(2, 3, 1000000);
  c.reserve(4, 0);
  EXPECT_EQ(c.capacity(), 64);
  for (int64_t l = 0; l < 2; ++l)
    for (int64_t i = 0; i < 4 * 3; ++i) c.k(l)[i] = static_cast<float>(100 * l + i), c.v(l)[i] = -c.k(l)[i];
  c.reserve(65, 4);
  EXPECT_EQ(c.capacity(), 128);
  for (int64_t l = 0; l < 2; ++l)
    for (int64_t i = 0; i < 4 * 3; ++i) {
      EXPECT_EQ(c.k(l)[i], static_cast<float>(100 * l + i));
      EXPECT_EQ(c.v(l)[i], -static_cast<float>(100 * l + i));
    }
  KvCache small;
  small.configure(1, 1, 100);
  small.reserve(90, 0);
  EXPECT_EQ(small.capacity(), 90);
  small.reserve(100, 90);
  EXPECT_EQ(small.capacity(), 100);
}

}  // namespace
}  // namespace attnscope::models
