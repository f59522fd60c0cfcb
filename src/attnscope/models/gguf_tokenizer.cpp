#include "attnscope/models/gguf_tokenizer.h"

#include "attnscope/core/error.h"
#include "attnscope/data/tokenizer_bpe.h"
#include "attnscope/data/tokenizer_spm.h"
#include "attnscope/data/tokenizer_wordpiece.h"

namespace attnscope::models {

namespace {

int32_t id_key(const io::GgufFile& f, const char* key, size_t n) {
  const int64_t id = f.get_int(key, -1);
  if (id >= static_cast<int64_t>(n)) throw FormatError(f.path() + ": " + key + " " + std::to_string(id) + " is outside the vocabulary");
  return static_cast<int32_t>(id);
}

}  // namespace

std::unique_ptr<data::Tokenizer> tokenizer_from_gguf(const io::GgufFile& f) {
  const std::string model = f.get_string("tokenizer.ggml.model");
  std::vector<std::string> tokens = f.get_strings("tokenizer.ggml.tokens");
  const size_t n = tokens.size();
  if (n == 0) throw FormatError(f.path() + ": empty tokenizer.ggml.tokens");
  std::vector<data::PieceType> types;
  if (f.has("tokenizer.ggml.token_type")) {
    const auto& tt = f.get_numbers("tokenizer.ggml.token_type");
    if (tt.size() != n) throw FormatError(f.path() + ": tokenizer.ggml.token_type has " + std::to_string(tt.size()) +
                                          " entries for " + std::to_string(n) + " tokens");
    for (double t : tt) {
      if (t < 1 || t > 6 || t != static_cast<int>(t)) throw FormatError(f.path() + ": unknown token type " + std::to_string(t));
      types.push_back(static_cast<data::PieceType>(static_cast<int>(t)));
    }
  }
  try {
    if (model == "llama") {
      const auto& sc = f.get_numbers("tokenizer.ggml.scores");
      if (sc.size() != n) throw FormatError("tokenizer.ggml.scores has " + std::to_string(sc.size()) + " entries for " +
                                            std::to_string(n) + " tokens");
      std::vector<float> scores(sc.begin(), sc.end());
      data::SpecialTokens sp;
      sp.bos = id_key(f, "tokenizer.ggml.bos_token_id", n);
      sp.eos = id_key(f, "tokenizer.ggml.eos_token_id", n);
      sp.unk = id_key(f, "tokenizer.ggml.unknown_token_id", n);
      sp.pad = id_key(f, "tokenizer.ggml.padding_token_id", n);
      data::SpmOptions opt;
      opt.add_bos = f.get_bool("tokenizer.ggml.add_bos_token", true);
      opt.add_eos = f.get_bool("tokenizer.ggml.add_eos_token", false);
      opt.add_dummy_prefix = f.get_bool("tokenizer.ggml.add_space_prefix", true);
      return std::make_unique<data::SpmTokenizer>(std::move(tokens), std::move(scores), std::move(types), sp, opt);
    }
    if (model == "gpt2") {
      std::vector<std::pair<std::string, std::string>> merges;
      for (const auto& m : f.get_strings("tokenizer.ggml.merges")) {
        const size_t sp = m.find(' ');
        if (sp == std::string::npos || sp == 0 || sp + 1 == m.size())
          throw FormatError("merge '" + m + "' is not 'left right'");
        merges.emplace_back(m.substr(0, sp), m.substr(sp + 1));
      }
      std::vector<int32_t> specials;
      for (size_t i = 0; i < types.size(); ++i)
        if (types[i] == data::PieceType::control || types[i] == data::PieceType::user_defined)
          specials.push_back(static_cast<int32_t>(i));
      return std::make_unique<data::ByteBpeTokenizer>(std::move(tokens), merges, specials);
    }
    if (model == "bert") {
      // Undo llama.cpp's spelling: "▁word" -> "word", "[CLS]" verbatim, "piece" -> "##piece".
      const std::string mark = "\xE2\x96\x81";
      for (auto& t : tokens) {
        if (t.rfind(mark, 0) == 0) t.erase(0, mark.size());
        else if (!(t.size() >= 2 && t.front() == '[' && t.back() == ']')) t = "##" + t;
      }
      return std::make_unique<data::WordPieceTokenizer>(std::move(tokens));
    }
  } catch (const FormatError& e) {
    throw FormatError(f.path() + ": " + e.what());
  }
  throw FormatError(f.path() + ": tokenizer model '" + model + "' is not supported (llama, gpt2, bert)");
}

}  // namespace attnscope::models
