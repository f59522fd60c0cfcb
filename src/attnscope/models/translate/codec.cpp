#include "attnscope/models/translate/codec.h"

#include <nlohmann/json.hpp>

#include <string>

#include "attnscope/core/error.h"
#include "attnscope/data/dates.h"
#include "attnscope/data/parallel_text.h"

namespace attnscope::models {
namespace {

// Unicode spaces -> ' ': French typography puts U+202F / U+00A0 / U+2009 before "?!:;" (5,480
// of them in Tatoeba eng-fra), and the word tokenizer counts every byte >= 0x80 as a letter, so
// "vous\u202f?" would otherwise become the word "vous\u202f".
std::string normalize_spaces(const std::string& text) {
  static const char* const kSpaces[] = {"\xE2\x80\xAF", "\xC2\xA0", "\xE2\x80\x89"};
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const char* sp : kSpaces) {
      const size_t n = std::char_traits<char>::length(sp);
      if (text.compare(i, n, sp) == 0) {
        out += ' ';
        i += n;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

}  // namespace

std::vector<std::string> tokenize_mode(const std::string& mode, const std::string& text) {
  if (mode == "dates") return data::tokenize_date_text(text);
  if (mode == "word") return data::tokenize_words(normalize_spaces(text));
  if (mode == "char") return data::tokenize_chars(normalize_spaces(text));
  throw ConfigError("unknown tokenization '" + mode + "' (expected dates, word or char)");
}

std::vector<std::string> TextCodec::tokenize_source(const std::string& t) const { return tokenize_mode(source_mode, t); }
std::vector<std::string> TextCodec::tokenize_target(const std::string& t) const { return tokenize_mode(target_mode, t); }

std::string TextCodec::detokenize_target(const std::vector<std::string>& tokens) const {
  if (target_mode == "word") return data::detokenize_words(tokens);
  if (target_mode == "char") return data::detokenize_chars(tokens);
  std::string s;  // dates: the ISO characters
  for (const auto& t : tokens) s += t;
  return s;
}

std::vector<int64_t> TextCodec::encode_source(const std::string& t) const { return source_vocab.encode(tokenize_source(t)); }
std::vector<int64_t> TextCodec::encode_target(const std::string& t) const { return target_vocab.encode(tokenize_target(t)); }

double TextCodec::unknown_share(const std::string& text) const {
  const auto tokens = tokenize_source(text);
  if (tokens.empty()) return 1.0;
  int64_t unk = 0;
  for (const auto& t : tokens) unk += !source_vocab.contains(t);
  return static_cast<double>(unk) / tokens.size();
}

nlohmann::json TextCodec::to_json() const {
  return {{"source_mode", source_mode},
          {"target_mode", target_mode},
          {"source_vocab", nlohmann::json::parse(source_vocab.to_json())},
          {"target_vocab", nlohmann::json::parse(target_vocab.to_json())}};
}

TextCodec TextCodec::from_json(const nlohmann::json& j) {
  TextCodec c;
  try {
    c.source_mode = j.at("source_mode");
    c.target_mode = j.at("target_mode");
    c.source_vocab = data::Vocab::from_json(j.at("source_vocab").dump());
    c.target_vocab = data::Vocab::from_json(j.at("target_vocab").dump());
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(std::string("translation codec: ") + e.what());
  }
  tokenize_mode(c.source_mode, "");
  tokenize_mode(c.target_mode, "");
  return c;
}

}  // namespace attnscope::models
