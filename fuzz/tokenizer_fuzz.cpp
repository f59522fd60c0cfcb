// libFuzzer target: tokenizer files from arbitrary bytes (first byte picks the format: llama2.c
// tokenizer.bin, tokenizer.json, merges.txt, or text to encode with small built-in tokenizers
// of each family). Only attnscope::Error may escape; round trips must hold where exact.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "attnscope/core/error.h"
#include "attnscope/data/tokenizer_bpe.h"
#include "attnscope/data/tokenizer_spm.h"
#include "attnscope/data/tokenizer_wordpiece.h"

using namespace attnscope::data;

namespace {

void exercise(const Tokenizer& tok, const std::string& text) {
  const auto ids = tok.encode(text, true, true);
  (void)tok.decode(ids, true);
  for (int32_t id : ids) (void)tok.display(id);
}

// Small tokenizers of each family, built once.
const ByteBpeTokenizer& bpe() {
  static const ByteBpeTokenizer t = [] {
    std::vector<std::string> tokens;
    // Byte-level pieces for all 256 bytes (bytes_to_unicode), plus merged tokens.
    for (int b = 0; b < 256; ++b) {
      char32_t cp = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE) ? b : 0;
      if (!cp) {
        static char32_t next = 256;
        cp = next++;
      }
      std::string s;
      if (cp < 0x80) s.push_back(static_cast<char>(cp));
      else if (cp < 0x800) { s.push_back(static_cast<char>(0xC0 | (cp >> 6))); s.push_back(static_cast<char>(0x80 | (cp & 0x3F))); }
      tokens.push_back(s);
    }
    tokens.push_back("\xC4\xA0t");  // "Ġt"
    tokens.push_back("he");
    tokens.push_back("<|endoftext|>");
    return ByteBpeTokenizer(tokens, {{"\xC4\xA0", "t"}, {"h", "e"}}, {});
  }();
  return t;
}
const WordPieceTokenizer& wordpiece() {
  static const WordPieceTokenizer t({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "##s", "a", "##b", "!", "w"});
  return t;
}
const SpmTokenizer& spm() {
  static const SpmTokenizer t = [] {
    std::vector<std::string> p = {"<unk>", "<s>", "</s>"};
    std::vector<float> s = {0, 0, 0};
    for (int b = 0; b < 256; ++b) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "<0x%02X>", b);
      p.push_back(buf);
      s.push_back(0);
    }
    for (const char* x : {"\xE2\x96\x81", "a", "b", "\xE2\x96\x81" "a", "ab", "\xE2\x96\x81" "ab"}) {
      p.push_back(x);
      s.push_back(-static_cast<float>(p.size()));
    }
    SpecialTokens sp;
    sp.unk = 0;
    sp.bos = 1;
    sp.eos = 2;
    return SpmTokenizer(p, s, {}, sp);
  }();
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 4) {
      case 0: exercise(*SpmTokenizer::from_llama2c_bytes(body, "fuzz.bin"), "hi there \xFF"); break;
      case 1: exercise(*tokenizer_from_json_text(body, "fuzz.json"), "hi there [SEP]"); break;
      case 2: (void)parse_merges_txt(body, "fuzz.txt"); break;
      case 3: {
        exercise(wordpiece(), body);
        exercise(bpe(), body);
        exercise(spm(), body);
        // Exact round trips: byte-level BPE gives back any bytes; SentencePiece any text.
        if (bpe().decode(bpe().encode(body)) != body) std::abort();
        // (A literal U+2581 is SentencePiece's space mark: it decodes to ' ', as upstream.)
        if (body.find("\xE2\x96\x81") == std::string::npos && spm().decode(spm().encode(body)) != body) std::abort();
        break;
      }
    }
  } catch (const attnscope::Error&) {
  }
  return 0;
}
