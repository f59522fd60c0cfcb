// The tokens a model reads a text as — what `attnscope tokenize` prints to check a tokenizer on a
// text: for an imported model (or a tokenizer file: tokenizer.json, vocab.json + merges.txt,
// vocab.txt, a llama2.c tokenizer.bin / tok*.bin, a .gguf) its SentencePiece, byte-level BPE or
// WordPiece tokenizer, with the specials the model adds (BOS, [CLS] ... [SEP]); for a trained
// translator its word/character/dates tokenizer and vocabulary of either side; for a trained
// sentiment classifier its words and vocabulary. Each token with its id and byte offsets in the
// text (data/token_offsets.h).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attnscope::models {

struct TextToken {
  std::string piece;       // the vocabulary entry ("▁the", "Ġthe", "##ing", "<s>", a word)
  int64_t id = 0;
  int64_t begin = -1, end = -1;  // byte offsets in the text; -1 when not from the text (specials)
  bool special = false;     // BOS/EOS/[CLS]/[SEP] and the like
  bool unknown = false;     // the vocabulary's unknown token stands for it
};

struct TextTokens {
  std::string tokenizer;   // "sentencepiece", "byte_bpe", "wordpiece", "translate source: word", ...
  int64_t vocab_size = 0;
  std::vector<TextToken> tokens;
};

enum class TextSide { source, target };

// `path`: a model (file or directory), a tokenizer file, or a trained checkpoint. `side` picks a
// translator's vocabulary (default its source; ConfigError when given for anything else). Errors
// as the loaders'.
TextTokens tokenize_text(const std::string& path, const std::string& text, std::optional<TextSide> side = std::nullopt);

}  // namespace attnscope::models
