// `attnscope tokenize MODEL|TOKENIZER "text" [--side source|target] [--json]`: the tokens a model
// reads a text as (models/text_tokens.h) — piece, id and byte offsets of each — to check a
// tokenizer on a text before tracing it.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/core/printable.h"
#include "attnscope/models/text_tokens.h"

namespace attnscope::cli {
namespace {

struct TokenizeFlags {
  std::string model, text, side;
  bool json = false;
};

void run_tokenize(const TokenizeFlags& f) {
  std::optional<models::TextSide> side;
  if (!f.side.empty()) side = f.side == "target" ? models::TextSide::target : models::TextSide::source;
  const models::TextTokens r = models::tokenize_text(f.model, f.text, side);
  if (f.json) {
    nlohmann::json j = {{"tokenizer", r.tokenizer}, {"vocab_size", r.vocab_size}, {"tokens", nlohmann::json::array()}};
    for (const auto& t : r.tokens) {
      nlohmann::json tj = {{"piece", t.piece}, {"id", t.id}};
      tj["begin"] = t.begin < 0 ? nlohmann::json(nullptr) : nlohmann::json(t.begin);
      tj["end"] = t.end < 0 ? nlohmann::json(nullptr) : nlohmann::json(t.end);
      if (t.special) tj["special"] = true;
      if (t.unknown) tj["unknown"] = true;
      j["tokens"].push_back(std::move(tj));
    }
    // Invalid UTF-8 (a byte-fallback piece) is replaced rather than refused: this is a report.
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  std::printf("%s (vocabulary %lld): %s\n", r.tokenizer.c_str(), static_cast<long long>(r.vocab_size),
              count_of(static_cast<long long>(r.tokens.size()), "token").c_str());
  std::printf("%5s  %7s  %-11s  %s\n", "#", "id", "bytes", "piece");
  for (size_t i = 0; i < r.tokens.size(); ++i) {
    const auto& t = r.tokens[i];
    const std::string bytes =
        t.begin < 0 ? "-" : std::to_string(t.begin) + ".." + std::to_string(t.end);
    std::string note = t.special ? "  (special)" : t.unknown ? "  (unknown)" : "";
    // Quoted, with control characters escaped: a piece may be a space, a newline or a raw byte.
    std::printf("%5zu  %7lld  %-11s  '%s'%s\n", i, static_cast<long long>(t.id), bytes.c_str(),
                escape_controls(t.piece).c_str(), note.c_str());
  }
}

void setup_tokenize(CLI::App& app) {
  auto* sub = app.add_subcommand("tokenize", "Show the tokens (pieces, ids, byte offsets) a model reads a text as");
  auto f = std::make_shared<TokenizeFlags>();
  sub->add_option("MODEL", f->model,
                  "Model (file or directory), tokenizer file (tokenizer.json, vocab.txt, tok*.bin, .gguf) or trained "
                  "checkpoint")
      ->required();
  sub->add_option("TEXT", f->text, "Text to tokenize")->required();
  sub->add_option("--side", f->side, "Translators: the source (default) or target vocabulary")
      ->check(CLI::IsMember({"source", "target"}));
  sub->add_flag("--json", f->json, "One JSON object: tokenizer, vocab_size, tokens [{piece, id, begin, end}]");
  sub->callback([f] { run_tokenize(*f); });
}

}  // namespace
}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_COMMAND(attnscope::cli::setup_tokenize);
