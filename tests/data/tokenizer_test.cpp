// Tokenizers against the llama.cpp test vectors (46 cases, ids from the HF tokenizers) and the
// HF-layout BERT files in ../shared/data; round trips; malformed files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/data/tokenizer.h"
#include "attnscope/data/tokenizer_bpe.h"
#include "attnscope/data/tokenizer_spm.h"
#include "attnscope/data/tokenizer_unicode.h"
#include "attnscope/data/tokenizer_wordpiece.h"
#include "shared_data.h"

using attnscope::testing::shared_data_dir;

namespace fs = std::filesystem;
using namespace attnscope;
using namespace attnscope::data;

namespace {

std::string vectors_dir() { return shared_data_dir() + "/tokenizer_vectors_llamacpp"; }

#define REQUIRE_SHARED_DATA()                                                              \
  if (!fs::exists(shared_data_dir())) GTEST_SKIP() << "../shared/data is absent (real-data test)"

struct Case {
  std::string text;
  std::vector<int32_t> ids;
};

// NAME.inp: cases separated by "\n__ggml_vocab_test__\n"; NAME.out: one line of ids per case.
std::vector<Case> read_vectors(const std::string& stem) {
  const std::string inp = read_file(stem + ".inp"), out = read_file(stem + ".out");
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<Case> cases;
  for (size_t pos = 0;;) {
    const size_t e = inp.find(sep, pos);
    if (e == std::string::npos) break;
    cases.push_back({inp.substr(pos, e - pos), {}});
    pos = e + sep.size();
  }
  std::istringstream lines(out);
  std::string line;
  for (auto& c : cases) {
    std::getline(lines, line);
    std::istringstream ids(line);
    int32_t id;
    while (ids >> id) c.ids.push_back(id);
  }
  return cases;
}

void expect_all_match(const Tokenizer& tok, const std::vector<Case>& cases, bool round_trip) {
  ASSERT_EQ(cases.size(), 46u);
  int matched = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto ids = tok.encode(cases[i].text);
    EXPECT_EQ(ids, cases[i].ids) << "case " << i << ": '" << cases[i].text << "'";
    matched += ids == cases[i].ids;
    if (round_trip) { EXPECT_EQ(tok.decode(ids), cases[i].text) << "round trip of case " << i; }
  }
  EXPECT_EQ(matched, 46);
}

std::string strip_spaces(const std::string& s) {
  std::string o;
  for (char c : s)
    if (c != ' ') o.push_back(c);
  return o;
}

}  // namespace

TEST(Unicode, CategoriesAndNormalization) {
  EXPECT_TRUE(is_letter(U'a'));
  EXPECT_TRUE(is_letter(U'\u00FC'));   // ü
  EXPECT_TRUE(is_letter(U'\u6211'));   // 我
  EXPECT_TRUE(is_number(U'3'));
  EXPECT_TRUE(is_number(U'\u00BD'));   // ½ (No)
  EXPECT_FALSE(is_letter(U'\u0301'));  // combining acute (Mn)
  EXPECT_EQ(category(U'\u0301'), Category::Mn);
  EXPECT_TRUE(is_white_space(U'\u3000'));
  std::u32string s;
  append_nfd(U'\u00FC', s);
  EXPECT_EQ(s, std::u32string(U"u\u0308"));
  s.clear();
  append_nfd(U'\uAC01', s);  // 각 -> ᄀ ᅡ ᆨ
  EXPECT_EQ(s, std::u32string(U"\u1100\u1161\u11A8"));
  s.clear();
  append_lower(U'\u0130', s);  // İ -> i + combining dot
  EXPECT_EQ(s, std::u32string(U"i\u0307"));
  size_t bad = 0;
  EXPECT_EQ(utf8_decode("a\xC3(\xF0\x9F\x98\x81", &bad), std::u32string(U"a\uFFFD(\U0001F601"));
  EXPECT_EQ(bad, 1u);
  EXPECT_EQ(utf8_encode(U"F\u00FChrer \U0001F999"), "F\xC3\xBChrer \xF0\x9F\xA6\x99");
}

TEST(Gpt2Pretokenize, SplitsLikeTheRegex) {
  auto split = [](const std::string& text) {
    const auto cps = utf8_decode(text);
    std::vector<std::string> out;
    for (auto [lo, hi] : gpt2_pretokenize(cps)) out.push_back(utf8_encode(cps.substr(lo, hi - lo)));
    return out;
  };
  EXPECT_EQ(split("Hello, y'all! I've 33 cats"),
            (std::vector<std::string>{"Hello", ",", " y", "'", "all", "!", " I", "'ve", " 33", " cats"}));
  EXPECT_EQ(split("a   b\n\n c  "), (std::vector<std::string>{"a", "  ", " b", "\n\n", " c", "  "}));
  EXPECT_EQ(split("'RE x"), (std::vector<std::string>{"'", "RE", " x"}));
}

TEST(ByteBpe, Gpt2VectorsFromVocabJsonAndMerges) {
  REQUIRE_SHARED_DATA();
  auto tok = load_tokenizer(vectors_dir() + "/gpt2_vocab.json");
  EXPECT_EQ(tok->kind(), "byte_bpe");
  EXPECT_EQ(tok->vocab_size(), 50257);
  expect_all_match(*tok, read_vectors(vectors_dir() + "/ggml-vocab-gpt-2.gguf"), true);
}

TEST(ByteBpe, SpecialTokensAndInvalidUtf8) {
  REQUIRE_SHARED_DATA();
  auto tok = load_tokenizer(vectors_dir() + "/gpt2_vocab.json");
  EXPECT_EQ(tok->encode("a<|endoftext|>b", false, true), (std::vector<int32_t>{64, 50256, 65}));
  EXPECT_NE(tok->encode("a<|endoftext|>b", false, false).size(), 3u);
  // Invalid UTF-8 still round-trips byte for byte.
  const std::string raw = "ab\xFF\xC3 x";
  EXPECT_EQ(tok->decode(tok->encode(raw)), raw);
  EXPECT_EQ(tok->display(tok->encode("\xF0\x9F\xA6\x99")[0]).substr(0, 3), "<0x");
}

TEST(WordPiece, BertVectorsFromVocabTxt) {
  REQUIRE_SHARED_DATA();
  auto tok = load_tokenizer(shared_data_dir() + "/tokenizer_bert_uncased/vocab.txt");
  EXPECT_EQ(tok->kind(), "wordpiece");
  const auto cases = read_vectors(vectors_dir() + "/ggml-vocab-bert-bge.gguf");
  expect_all_match(*tok, cases, false);
  // Round trip up to normalization: the same words come back (when nothing became [UNK]).
  WordPieceOptions opt;
  int checked = 0;
  for (const auto& c : cases) {
    const auto ids = tok->encode(c.text);
    if (std::find(ids.begin(), ids.end(), tok->specials().unk) != ids.end()) continue;
    std::string words;
    for (const auto& w : bert_basic_tokenize(c.text, opt)) words += w;
    EXPECT_EQ(strip_spaces(tok->decode(ids)), words) << c.text;
    ++checked;
  }
  EXPECT_GT(checked, 30);
}

TEST(WordPiece, BertVectorsFromTokenizerJson) {
  REQUIRE_SHARED_DATA();
  auto tok = load_tokenizer(shared_data_dir() + "/tokenizer_bert_uncased");  // directory: finds tokenizer.json
  EXPECT_EQ(tok->kind(), "wordpiece");
  expect_all_match(*tok, read_vectors(vectors_dir() + "/ggml-vocab-bert-bge.gguf"), false);
  const auto ids = tok->encode("Hello [SEP] world", true, true);
  EXPECT_EQ(ids, (std::vector<int32_t>{101, 7592, 102, 2088, 102}));
  EXPECT_EQ(tok->decode(ids), "hello world");
}

TEST(Spm, Llama2cTokenizerGoldenSentence) {
  REQUIRE_SHARED_DATA();
  auto tok = load_tokenizer(shared_data_dir() + "/model_stories260K_llama");  // finds tok512.bin
  EXPECT_EQ(tok->kind(), "sentencepiece");
  EXPECT_EQ(tok->vocab_size(), 512);
  const std::string text = "One day, a clever fox found a shiny key under the old oak tree.";
  const std::vector<int32_t> want = {1,   385, 328, 432, 261, 280, 305, 330, 272, 414, 444, 272,
                                     277, 264, 261, 262, 415, 271, 422, 410, 354, 422, 318, 264,
                                     285, 265, 334, 341, 334, 412, 433, 259, 276, 411, 426};
  const auto ids = tok->encode(text, true);
  EXPECT_EQ(ids, want);
  EXPECT_EQ(tok->decode(ids), text);
  // Characters outside the 512-piece vocabulary fall back to bytes and come back intact.
  const std::string odd = "Führer 🦙 x\ty";
  EXPECT_EQ(tok->decode(tok->encode(odd)), odd);
  // Invalid UTF-8 (a lead byte before a space; a truncated sequence) also round-trips (fuzz find).
  for (const std::string& raw : {std::string("eoo  Hlleo\xC4 d"), std::string("x\xE2\x82")})
    EXPECT_EQ(tok->decode(tok->encode(raw)), raw);
}

TEST(TokenizerErrors, MalformedFiles) {
  const fs::path dir = fs::path(ATTNSCOPE_BINARY_DIR) / "tokenizer_test_tmp";
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& content) {
    fs::create_directories((dir / name).parent_path());
    std::ofstream(dir / name, std::ios::binary) << content;
    return (dir / name).string();
  };
  // A llama2.c tokenizer cut short.
  std::string bin(4, '\0');
  bin[0] = 7;
  bin += std::string("\0\0\0\0\x05\0\0\0ab", 10);
  EXPECT_THROW(load_tokenizer(write("tok_cut.bin", bin)), FormatError);
  EXPECT_THROW(load_tokenizer(write("tok_bad.bin", std::string("\xFF\xFF\xFF\xFF", 4))), FormatError);
  EXPECT_THROW(load_tokenizer(write("tokenizer.json", "{\"model\": {\"type\": \"Unigram\", \"vocab\": {\"a\": 0}}}")),
               FormatError);
  EXPECT_THROW(load_tokenizer(write("broken.json", "{not json")), FormatError);
  // A model without "vocab" (found by fuzz_smoke_tokenizer under the sanitizers: a const lookup of
  // a missing key is undefined behaviour in nlohmann::json).
  EXPECT_THROW(load_tokenizer(write("novocab/tokenizer.json", "{\"model\": {\"type\": \"WordPiece\"}}")), FormatError);
  EXPECT_THROW(load_tokenizer(write("vocab.txt", "a\nb\n")), FormatError);  // no [UNK]
  fs::create_directories(dir / "empty");
  EXPECT_THROW(load_tokenizer((dir / "empty").string()), ConfigError);
  EXPECT_THROW(load_tokenizer((dir / "missing").string()), IoError);
  EXPECT_THROW(parse_merges_txt("#version: 0.2\na b c\n", "merges.txt"), FormatError);
  // Issue 17: a negative id used to leave the piece list empty and read back() of it (segfault).
  EXPECT_THROW(load_tokenizer(write("neg/tokenizer.json", "{\"model\":{\"type\":\"WordPiece\",\"vocab\":{\"a\":-1}}}")),
               FormatError);
  // Issue 17: 60,000 nested pre-tokenizers overflowed the stack; nesting is bounded at parse time.
  std::string deep = "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[]},\"pre_tokenizer\":";
  for (int i = 0; i < 60000; ++i) deep += "{\"type\":\"Sequence\",\"pretokenizers\":[";
  for (int i = 0; i < 60000; ++i) deep += "]}";
  deep += "}";
  try {
    load_tokenizer(write("deep/tokenizer.json", deep));
    ADD_FAILURE() << "no error";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("nested deeper than"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}
