// `attnscope translate --model CKPT "text" ...`: prints the translation; --trace, --png, --svg,
// --gif, --html write the attention of that sentence (see trace_outputs.h).
#include <cstdio>
#include <memory>

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/cli/trace_outputs.h"
#include "attnscope/core/error.h"
#include "attnscope/data/utf8.h"
#include "attnscope/models/translate/translator.h"

namespace attnscope::cli {
namespace {

struct TranslateFlags {
  std::string model;
  std::vector<std::string> texts;
  int beam = 1;
  int64_t max_len = 100;
  TraceOutputs outputs;
};

void run(const TranslateFlags& f) {
  check_trace_outputs(f.outputs, {f.model});
  models::Translator t = models::Translator::load(f.model);
  models::DecodeOptions d;
  d.beam = f.beam;
  d.max_len = f.max_len;
  for (const auto& text : f.texts) {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw ValueError("translate: empty input text");
    if (!data::valid_utf8(text)) throw ValueError("translate: the input text is not valid UTF-8");
    if (t.codec().unknown_share(text) == 1.0)
      std::fprintf(stderr, "attnscope: warning: every word of \"%s\" is unknown to the model\n", clip_for_message(text).c_str());
  }
  if (f.outputs.any() && f.texts.size() != 1)
    throw ConfigError("translate: --trace/--png/--svg/--gif/--html take exactly one text");
  for (const auto& tr : t.translate(f.texts, d)) std::printf("%s\n", tr.text.c_str());
  if (f.outputs.any()) write_trace_outputs(t.trace(f.texts[0], d), f.outputs);
}

void setup_translate(CLI::App& app) {
  auto* sub = app.add_subcommand("translate", "Translate text with a trained model (and picture its attention)");
  auto f = std::make_shared<TranslateFlags>();
  add_model_flag(sub, f->model);
  sub->add_option("text", f->texts, "Text(s) to translate")->required();
  sub->add_option("--beam", f->beam, "Beam size (1 = greedy)")->check(in_range(1, 64));
  sub->add_option("--max-len", f->max_len, "Longest output in tokens")->check(in_range(1, 1000));
  add_trace_output_flags(sub, f->outputs);
  sub->callback([f] { run(*f); });
}

ATTNSCOPE_REGISTER_COMMAND(setup_translate);

}  // namespace
}  // namespace attnscope::cli
