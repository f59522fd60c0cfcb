#include "attnscope/models/text_tokens.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/data/sentiment.h"
#include "attnscope/data/token_offsets.h"
#include "attnscope/data/tokenizer.h"
#include "attnscope/data/vocab.h"
#include "attnscope/models/loader.h"
#include "attnscope/models/open_model.h"
#include "attnscope/models/translate/codec.h"
#include "attnscope/nn/checkpoint.h"

namespace attnscope::models {
namespace {

namespace fs = std::filesystem;

// A tokenizer file named as find_tokenizer_file looks for them (a model's .bin is not one).
bool is_tokenizer_file(const fs::path& p) {
  const std::string name = p.filename().string(), ext = p.extension().string();
  return ext == ".json" || ext == ".txt" || (ext == ".bin" && name.rfind("tok", 0) == 0);
}

void add_offsets(const std::string& text, TextTokens& r, const std::vector<std::string>& surfaces) {
  const auto offsets = data::token_offsets(text, surfaces);
  for (size_t i = 0; i < r.tokens.size(); ++i) std::tie(r.tokens[i].begin, r.tokens[i].end) = offsets[i];
}

// Words of a trained model's own vocabulary (translators, classifiers).
TextTokens from_vocab(const std::string& kind, const data::Vocab& vocab, const std::vector<std::string>& words,
                      const std::string& text) {
  TextTokens r;
  r.tokenizer = kind;
  r.vocab_size = vocab.size();
  std::vector<std::string> surfaces;
  for (const std::string& w : words) {
    const int64_t id = vocab.id(w);
    r.tokens.push_back({w, id, -1, -1, false, id == data::Vocab::kUnk});
    surfaces.push_back(w == "\xE2\x96\x81" ? " " : w);  // the char mode's space
  }
  add_offsets(text, r, surfaces);
  return r;
}

TextTokens from_checkpoint(const std::string& path, const std::string& text, std::optional<TextSide> side) {
  const nn::CheckpointMeta meta = nn::read_checkpoint_meta(path);
  const nlohmann::json cfg = nlohmann::json::parse(meta.config, nullptr, false);
  if (meta.model_type.rfind("translate-", 0) == 0 && cfg.is_object() && cfg.contains("codec")) {
    const TextCodec codec = TextCodec::from_json(cfg["codec"]);
    if (side == TextSide::target)
      return from_vocab("translate target: " + codec.target_mode, codec.target_vocab, codec.tokenize_target(text), text);
    return from_vocab("translate source: " + codec.source_mode, codec.source_vocab, codec.tokenize_source(text), text);
  }
  ATTNSCOPE_CHECK(!side, ConfigError, "only a translator has a source and a target side; '" + path + "' holds a '" +
                                                meta.model_type + "' model");
  if (meta.model_type.rfind("sentiment-", 0) == 0 && cfg.is_object() && cfg.contains("vocab"))
    return from_vocab("sentiment words", data::Vocab::from_json(cfg["vocab"].dump()), data::sentiment_words(text), text);
  throw FormatError("'" + path + "' holds a '" + meta.model_type + "' model, whose tokenizer this does not know");
}

}  // namespace

TextTokens tokenize_text(const std::string& path, const std::string& text, std::optional<TextSide> side) {
  if (is_trained_checkpoint(path)) return from_checkpoint(path, text, side);
  ATTNSCOPE_CHECK(!side, ConfigError, "only a translator has a source and a target side; '" + path + "' is not one");
  std::error_code ec;
  const std::unique_ptr<data::Tokenizer> tok = fs::is_regular_file(path, ec) && is_tokenizer_file(path)
                                                   ? data::load_tokenizer(path)
                                                   : load_model_tokenizer(path);
  TextTokens r;
  r.tokenizer = tok->kind();
  r.vocab_size = tok->vocab_size();
  std::vector<std::string> surfaces;
  int32_t prev = -1;
  for (int32_t id : tok->encode(text, /*add_special=*/true)) {
    const bool special = tok->is_special(id);
    r.tokens.push_back({tok->piece(id), id, -1, -1, special, id == tok->specials().unk});
    surfaces.push_back(special ? "" : tok->decode_step(prev, id));
    if (!special) prev = id;
  }
  add_offsets(text, r, surfaces);
  return r;
}

}  // namespace attnscope::models
