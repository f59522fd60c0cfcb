// WordPiece (BERT): clean text, isolate CJK characters, lowercase + strip accents (NFD, drop
// non-spacing marks), split on whitespace and punctuation, then greedy longest-match-first
// sub-words with a "##" continuation prefix. Matches HF BertTokenizer(Fast), uncased.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "attnscope/data/tokenizer.h"

namespace attnscope::data {

struct WordPieceOptions {
  bool lowercase = true;
  bool strip_accents = true;          // HF default: same as lowercase
  bool tokenize_chinese_chars = true;
  std::string continuation = "##";
  size_t max_chars_per_word = 100;    // longer words become [UNK]
};

// BERT's basic tokenizer: the normalized words (before sub-word splitting).
std::vector<std::string> bert_basic_tokenize(std::string_view text, const WordPieceOptions& opt);

class WordPieceTokenizer : public Tokenizer {
 public:
  // tokens in id order; [UNK] must be present; [CLS]/[SEP]/[PAD]/[MASK] are found by name.
  WordPieceTokenizer(std::vector<std::string> tokens, WordPieceOptions opt = {});
  // vocab.txt: one token per line, the line number is the id.
  static std::unique_ptr<WordPieceTokenizer> from_vocab_txt(const std::string& path, WordPieceOptions opt = {});

  std::string kind() const override { return "wordpiece"; }
  std::string decode_step(int32_t prev, int32_t id) const override;
  const WordPieceOptions& options() const { return opt_; }

 protected:
  std::vector<int32_t> encode_plain(std::string_view text, bool at_start) const override;
  std::string decode_ids(const std::vector<int32_t>& ids) const override;
  void add_specials(std::vector<int32_t>& ids) const override;

 private:
  void word_pieces(const std::string& word, std::vector<int32_t>& out) const;
  WordPieceOptions opt_;
};

}  // namespace attnscope::data
