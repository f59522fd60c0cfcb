// Text <-> token ids for a translation model: the tokenization mode of each side and the two
// vocabularies. Modes: "dates" (the date task's tokenizer: words, digits and CJK characters),
// "word" (lower-cased words and punctuation), "char" (characters, spaces as ▁).
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "attnscope/data/vocab.h"

namespace attnscope::models {

struct TextCodec {
  std::string source_mode = "word", target_mode = "word";
  data::Vocab source_vocab, target_vocab;

  std::vector<std::string> tokenize_source(const std::string& text) const;
  std::vector<std::string> tokenize_target(const std::string& text) const;
  std::string detokenize_target(const std::vector<std::string>& tokens) const;
  std::vector<int64_t> encode_source(const std::string& text) const;
  std::vector<int64_t> encode_target(const std::string& text) const;  // without <eos>
  // Share of source tokens that are unknown (for the "only unknown words" warning).
  double unknown_share(const std::string& text) const;

  nlohmann::json to_json() const;
  static TextCodec from_json(const nlohmann::json& j);  // FormatError when malformed
};

// Tokenizes with a named mode; ConfigError for an unknown mode.
std::vector<std::string> tokenize_mode(const std::string& mode, const std::string& text);

}  // namespace attnscope::models
