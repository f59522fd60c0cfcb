// Tokenizer: text <-> token ids, exactly as the original tokenizer of a pretrained model does it.
// Three families (one file each): byte-level BPE (GPT-2, tokenizer_bpe.h), WordPiece (BERT,
// tokenizer_wordpiece.h) and SentencePiece-style BPE with byte fallback (Llama,
// tokenizer_spm.h). load_tokenizer() detects the format of a file or directory.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace attnscope::data {

// Ids of the special tokens a vocabulary declares (-1 when absent).
struct SpecialTokens {
  int32_t bos = -1, eos = -1, unk = -1, pad = -1, cls = -1, sep = -1, mask = -1;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // "byte_bpe", "wordpiece" or "sentencepiece".
  virtual std::string kind() const = 0;
  int32_t vocab_size() const { return static_cast<int32_t>(pieces_.size()); }
  const SpecialTokens& specials() const { return specials_; }
  // The vocabulary entry of id, as stored (e.g. "Ġthe", "##ing", "▁the", "<0x0A>").
  const std::string& piece(int32_t id) const;
  // A readable form of one token for displays (spaces shown as spaces, bytes as <0xNN>).
  virtual std::string display(int32_t id) const { return piece(id); }
  // Id of an exact vocabulary entry, or -1.
  int32_t find(std::string_view piece) const;

  // Token ids of text. add_special: what the model expects around a text (BOS for Llama, [CLS]
  // ... [SEP] for BERT, nothing for GPT-2). parse_special: occurrences of special-token strings
  // in the text ("<|endoftext|>", "[SEP]", "<s>") become their ids instead of being split.
  std::vector<int32_t> encode(std::string_view text, bool add_special = false, bool parse_special = false) const;
  // Text of ids; special tokens are skipped unless keep_special.
  std::string decode(const std::vector<int32_t>& ids, bool keep_special = false) const;
  // The text one token adds when streamed after prev (-1: first token).
  virtual std::string decode_step(int32_t prev, int32_t id) const = 0;
  bool is_special(int32_t id) const;
  // Declares a token that is matched verbatim in text when parse_special is on (HF "added
  // tokens"); decode skips it unless keep_special.
  void add_special_string(int32_t id);

 protected:
  // Encodes plain text (no special-token parsing). at_start: the text begins the input (the
  // SentencePiece dummy prefix is added only there).
  virtual std::vector<int32_t> encode_plain(std::string_view text, bool at_start) const = 0;
  virtual std::string decode_ids(const std::vector<int32_t>& ids) const = 0;
  virtual void add_specials(std::vector<int32_t>& ids) const {}
  // Registers the vocabulary (and builds the lookup); call once from the constructor.
  void set_vocab(std::vector<std::string> pieces);
  void validate_id(int32_t id, const char* what) const;

  std::vector<std::string> pieces_;
  SpecialTokens specials_;

 private:
  std::unordered_map<std::string, int32_t> index_;  // piece -> id (first occurrence wins)
  std::vector<int32_t> special_ids_;  // matched verbatim when parse_special (longest first)
};

// Loads a tokenizer from a file or a directory: tokenizer.json, vocab.json + merges.txt,
// vocab.txt, a llama2.c tokenizer.bin / tok*.bin. Throws FormatError/IoError naming the file,
// or ConfigError listing what was looked for.
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path);
// A Hugging Face tokenizer.json from its text; `where` names it in errors.
std::unique_ptr<Tokenizer> tokenizer_from_json_text(const std::string& text, const std::string& where);

// The tokenizer file(s) found in dir, or "" when none (the first of: tokenizer.json,
// vocab.json, vocab.txt, tokenizer.bin, tok*.bin).
std::string find_tokenizer_file(const std::string& dir);

}  // namespace attnscope::data
