// SentencePiece-style BPE with byte fallback (Llama 1/2, llama2.c): a dummy-prefix space, spaces
// as U+2581 "▁" (or plain ' ' in llama2.c's tokenizer.bin), characters merged pairwise by the
// highest score of the merged piece (ties: leftmost), characters outside the vocabulary as
// <0xNN> byte tokens. Loads from llama2.c tokenizer.bin, or a GGUF "llama" vocab (models layer).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "attnscope/data/tokenizer.h"

namespace attnscope::data {

// SentencePiece piece types (the values GGUF's tokenizer.ggml.token_type uses).
enum class PieceType : int32_t { normal = 1, unknown = 2, control = 3, user_defined = 4, unused = 5, byte = 6 };

struct SpmOptions {
  std::string space = "\xE2\x96\x81";  // "▁"; llama2.c's tokenizer.bin stores plain " "
  bool add_dummy_prefix = true;
  bool add_bos = true, add_eos = false;
};

class SpmTokenizer : public Tokenizer {
 public:
  // pieces, scores and types in id order (types empty: inferred from the pieces).
  SpmTokenizer(std::vector<std::string> pieces, std::vector<float> scores, std::vector<PieceType> types,
               SpecialTokens specials, SpmOptions opt = {});
  // llama2.c tokenizer.bin: int32 max_token_length, then per id: float32 score, int32 length, bytes.
  // vocab_size: number of entries (llama2.c stores no count; 0 reads until the end of the file).
  static std::unique_ptr<SpmTokenizer> from_llama2c(const std::string& path, int32_t vocab_size = 0);
  // The same from the file's bytes; `what` names them in errors.
  static std::unique_ptr<SpmTokenizer> from_llama2c_bytes(const std::string& data, const std::string& what,
                                                          int32_t vocab_size = 0);

  std::string kind() const override { return "sentencepiece"; }
  std::string display(int32_t id) const override;
  std::string decode_step(int32_t prev, int32_t id) const override;
  float score(int32_t id) const { return scores_.at(static_cast<size_t>(id)); }
  const SpmOptions& options() const { return opt_; }

 protected:
  std::vector<int32_t> encode_plain(std::string_view text, bool at_start) const override;
  std::string decode_ids(const std::vector<int32_t>& ids) const override;
  void add_specials(std::vector<int32_t>& ids) const override;

 private:
  int32_t mergeable(std::string_view s) const;  // id of a normal/user-defined piece, or -1
  std::string piece_text(int32_t id) const;     // bytes of a token (byte tokens -> their byte)

  std::vector<float> scores_;
  std::vector<PieceType> types_;
  std::vector<int32_t> byte_id_;  // [256] id of <0xNN>, -1 when absent
  std::vector<int> byte_value_;   // per id: the byte of a byte token, else -1
  SpmOptions opt_;
};

}  // namespace attnscope::data
