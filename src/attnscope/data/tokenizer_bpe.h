// Byte-level BPE (GPT-2, RoBERTa, GPT-J, ...): text -> GPT-2 regex pre-tokens -> bytes mapped to
// printable code points (bytes_to_unicode) -> merges applied by rank. Loads from
// vocab.json + merges.txt, from tokenizer.json (see tokenizer_hf_json.cpp) or a GGUF "gpt2" vocab.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "attnscope/data/tokenizer.h"

namespace attnscope::data {

// Splits text (code points) the way GPT-2's pre-tokenizer regex does:
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// Returns [begin, end) code-point ranges covering the text.
std::vector<std::pair<size_t, size_t>> gpt2_pretokenize(const std::u32string& text);

class ByteBpeTokenizer : public Tokenizer {
 public:
  // tokens in id order; merges in rank order (first = applied first) as (left, right) pieces;
  // special_ids: added tokens matched verbatim (e.g. <|endoftext|>).
  ByteBpeTokenizer(std::vector<std::string> tokens, const std::vector<std::pair<std::string, std::string>>& merges,
                   const std::vector<int32_t>& special_ids);
  // HF GPT-2 layout: vocab.json ({piece: id}) + merges.txt ("#version" header, "a b" lines).
  static std::unique_ptr<ByteBpeTokenizer> from_files(const std::string& vocab_json, const std::string& merges_txt);

  std::string kind() const override { return "byte_bpe"; }
  std::string display(int32_t id) const override;
  std::string decode_step(int32_t prev, int32_t id) const override;

 protected:
  std::vector<int32_t> encode_plain(std::string_view text, bool at_start) const override;
  std::string decode_ids(const std::vector<int32_t>& ids) const override;

 private:
  void bpe(const std::string& bytes, std::vector<int32_t>& out) const;
  std::string token_bytes(int32_t id) const;

  std::array<int32_t, 256> byte_id_{};                      // id of each single-byte token
  std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> merges_;  // (left,right) -> (rank, merged id)
  std::unordered_map<char32_t, uint8_t> unicode_byte_;     // printable code point -> byte
};

// Parses merges.txt content: optional "#version" first line, then "left right" per line.
std::vector<std::pair<std::string, std::string>> parse_merges_txt(const std::string& text, const std::string& where);

}  // namespace attnscope::data
