// A GGUF model end to end: stories260K's weights and tokenizer repackaged here as a GGUF file
// (llama.cpp names, ne[] order, F32 or F16 tensors, tokenizer.ggml.* vocabulary), then loaded
// through load_model/load_model_tokenizer: same tokens and the golden perplexity.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <unistd.h>

#include "attnscope/core/fs.h"
#include "attnscope/data/tokenizer_spm.h"
#include "attnscope/core/half.h"
#include "attnscope/models/generate.h"
#include "attnscope/models/loader.h"
#include "attnscope/models/model_config.h"
#include "attnscope/models/weight_source.h"
#include "shared_data.h"

namespace fs = std::filesystem;
using namespace attnscope;
using namespace attnscope::models;

namespace {

using attnscope::testing::stories_dir;

struct GgufWriter {
  std::string kv, infos, data;
  uint64_t n_kv = 0, n_tensors = 0;
  template <class T>
  static void put(std::string& b, T v) { b.append(reinterpret_cast<const char*>(&v), sizeof v); }
  static void str(std::string& b, const std::string& s) { put<uint64_t>(b, s.size()); b += s; }
  void key(const std::string& k, uint32_t type) { str(kv, k); put<uint32_t>(kv, type); ++n_kv; }
  void u32(const std::string& k, uint32_t v) { key(k, 4); put(kv, v); }
  void f32(const std::string& k, float v) { key(k, 6); put(kv, v); }
  void s(const std::string& k, const std::string& v) { key(k, 8); str(kv, v); }
  void strings(const std::string& k, const std::vector<std::string>& v) {
    key(k, 9); put<uint32_t>(kv, 8); put<uint64_t>(kv, v.size());
    for (const auto& x : v) str(kv, x);
  }
  template <class T>
  void nums(const std::string& k, uint32_t elem, const std::vector<T>& v) {
    key(k, 9); put<uint32_t>(kv, elem); put<uint64_t>(kv, v.size());
    for (T x : v) put(kv, x);
  }
  void tensor(const std::string& name, const std::vector<int64_t>& shape, const std::vector<float>& v, bool f16) {
    str(infos, name);
    put<uint32_t>(infos, static_cast<uint32_t>(shape.size()));
    for (auto it = shape.rbegin(); it != shape.rend(); ++it) put<uint64_t>(infos, static_cast<uint64_t>(*it));
    put<uint32_t>(infos, f16 ? 1 : 0);
    while (data.size() % 32) data.push_back('\0');
    put<uint64_t>(infos, data.size());
    for (float x : v) f16 ? put(data, f32_to_f16(x)) : put(data, x);
    ++n_tensors;
  }
  std::string bytes() const {
    std::string b = "GGUF";
    put<uint32_t>(b, 3);
    put<uint64_t>(b, n_tensors);
    put<uint64_t>(b, n_kv);
    b += kv + infos;
    while (b.size() % 32) b.push_back('\0');
    return b + data;
  }
};

// stories260K -> GGUF at path (matrices F16 when f16).
void write_stories_gguf(const std::string& path, bool f16) {
  ModelConfig c;
  auto src = open_llama2c_bin(stories_dir() + "/stories260K.bin", c);
  auto tok = data::SpmTokenizer::from_llama2c(stories_dir() + "/tok512.bin");
  GgufWriter w;
  w.s("general.architecture", "llama");
  w.u32("llama.embedding_length", static_cast<uint32_t>(c.dim));
  w.u32("llama.block_count", static_cast<uint32_t>(c.n_layers));
  w.u32("llama.attention.head_count", static_cast<uint32_t>(c.n_heads));
  w.u32("llama.attention.head_count_kv", static_cast<uint32_t>(c.n_kv_heads));
  w.u32("llama.feed_forward_length", static_cast<uint32_t>(c.hidden));
  w.u32("llama.context_length", static_cast<uint32_t>(c.max_seq));
  w.f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.s("tokenizer.ggml.model", "llama");
  std::vector<std::string> pieces;
  std::vector<float> scores;
  std::vector<int32_t> types;
  for (int32_t i = 0; i < tok->vocab_size(); ++i) {
    std::string p = tok->piece(i);
    if (i == 1) p = "<s>";
    if (i == 2) p = "</s>";
    for (size_t k; (k = p.find(' ')) != std::string::npos;) p.replace(k, 1, "\xE2\x96\x81");  // ' ' -> '▁'
    pieces.push_back(p);
    scores.push_back(tok->score(i));
    types.push_back(i == 0 ? 2 : i < 3 ? 3 : p.rfind("<0x", 0) == 0 ? 6 : 1);
  }
  w.strings("tokenizer.ggml.tokens", pieces);
  w.nums("tokenizer.ggml.scores", 6, scores);
  w.nums("tokenizer.ggml.token_type", 5, types);
  w.u32("tokenizer.ggml.bos_token_id", 1);
  w.u32("tokenizer.ggml.eos_token_id", 2);
  w.u32("tokenizer.ggml.unknown_token_id", 0);
  const std::pair<const char*, const char*> names[] = {
      {"attention_norm", "attn_norm"}, {"attention.wq", "attn_q"},  {"attention.wk", "attn_k"},
      {"attention.wv", "attn_v"},      {"attention.wo", "attn_output"}, {"ffn_norm", "ffn_norm"},
      {"feed_forward.w1", "ffn_gate"}, {"feed_forward.w2", "ffn_down"}, {"feed_forward.w3", "ffn_up"}};
  w.tensor("token_embd.weight", src->shape("tok_embeddings.weight"), src->read("tok_embeddings.weight"), f16);
  for (int64_t l = 0; l < c.n_layers; ++l)
    for (const auto& [meta, gg] : names) {
      const std::string from = "layers." + std::to_string(l) + "." + meta + ".weight";
      const bool matrix = src->shape(from).size() == 2;
      w.tensor("blk." + std::to_string(l) + "." + gg + ".weight", src->shape(from), src->read(from), f16 && matrix);
    }
  w.tensor("output_norm.weight", src->shape("norm.weight"), src->read("norm.weight"), false);
  write_file_atomic(path, w.bytes());
}


}  // namespace

TEST(GgufModel, Stories260KFromGgufGivesTheGoldenPerplexity) {
  if (!fs::exists(stories_dir())) GTEST_SKIP() << "../shared/data is absent (real-data test)";
  const fs::path dir = fs::path(ATTNSCOPE_BINARY_DIR) / ("gguf_model_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (bool f16 : {false, true}) {
    const std::string path = (dir / (f16 ? "stories_f16.gguf" : "stories.gguf")).string();
    write_stories_gguf(path, f16);
    auto model = load_model(path);
    auto tok = load_model_tokenizer(path);
    EXPECT_TRUE(model->config().tied_output);
    const auto ids = tok->encode(attnscope::testing::kStoriesSentence, true);
    ASSERT_EQ(ids.size(), 35u);
    EXPECT_EQ(ids[1], 385);
    EXPECT_EQ(tok->decode(ids), attnscope::testing::kStoriesSentence);
    const double ppl = perplexity(*model, ids).perplexity;
    if (f16) EXPECT_NEAR(ppl, 4.953633, 0.05);  // F16 matrices: close, not exact
    else EXPECT_NEAR(ppl, 4.953633, 1e-5);
  }
  fs::remove_all(dir);
}
