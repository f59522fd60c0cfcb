// `attnscope classify --model CKPT "text" ...`: the label, its probability, and the sentence with
// each word shaded by the attention the classifier gave it (ANSI colour on a terminal; plain
// "word[weight]" with --no-color, NO_COLOR set, or output not a terminal). --png/--svg write the
// shaded sentence, --trace the attention trace, --html a standalone viewer of it.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/data/sentiment.h"
#include "attnscope/data/utf8.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/models/sentiment/classifier.h"
#include "attnscope/serve/html_export.h"
#include "attnscope/viz/figure.h"
#include "attnscope/viz/shaded_text.h"
#include "attnscope/viz/text.h"

namespace attnscope::cli {
namespace {

struct ClassifyFlags {
  std::string model;
  std::vector<std::string> texts;
  bool no_color = false;
  std::string png, svg, trace, html;
};

std::string shaded_line(const std::vector<std::string>& words, const std::vector<double>& weights, bool color) {
  double top = 0;
  for (double w : weights) top = std::max(top, w);
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i) out += ' ';
    const std::string word = viz::display_token(words[i]);
    if (weights.empty()) {
      out += word;
    } else if (color) {
      const viz::Rgb8 bg = viz::attention_shade(top > 0 ? weights[i] / top : 0);
      char esc[64];
      std::snprintf(esc, sizeof esc, "\x1b[48;2;%d;%d;%dm\x1b[38;2;0;0;0m", bg.r, bg.g, bg.b);
      out += esc + word + "\x1b[0m";
    } else {
      char w[32];
      std::snprintf(w, sizeof w, "[%.2f]", weights[i]);
      out += word + w;
    }
  }
  return out;
}

void run(const ClassifyFlags& f) {
  const bool pictures = !f.png.empty() || !f.svg.empty() || !f.trace.empty() || !f.html.empty();
  if (pictures && f.texts.size() != 1) throw ConfigError("classify: --png/--svg/--trace/--html take exactly one text");
  // Before any work: the flag names the format.
  if (!f.png.empty() && viz::image_format_for(f.png) != viz::ImageFormat::png)
    throw ConfigError("classify: --png needs a .png path, got '" + f.png + "'");
  if (!f.svg.empty() && viz::image_format_for(f.svg) != viz::ImageFormat::svg)
    throw ConfigError("classify: --svg needs a .svg path, got '" + f.svg + "'");
  auto model = models::SentimentClassifier::load(f.model);
  std::vector<std::vector<std::string>> sentences;
  for (const auto& text : f.texts) {
    if (!data::valid_utf8(text)) throw ValueError("classify: the input text is not valid UTF-8");
    std::vector<std::string> words = data::sentiment_words(text);
    if (words.empty()) throw ValueError("classify: empty input text");
    size_t known = 0;
    for (const auto& w : words) known += model->vocab().contains(w);
    if (known == 0) throw ValueError("classify: no word of \"" + clip_for_message(text) + "\" is known to the model");
    sentences.push_back(std::move(words));
  }
  const bool color = !f.no_color && !std::getenv("NO_COLOR") && isatty(STDOUT_FILENO);
  const auto& labels = model->config().labels;
  const auto results = model->predict(sentences);
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    std::printf("%s %.3f  %s\n", labels[r.label].c_str(), r.probs[r.label], shaded_line(sentences[i], r.weights, color).c_str());
  }
  if (!pictures) return;
  const auto& r = results.front();
  char title[160];
  std::snprintf(title, sizeof title, "%s  (p = %.3f)", labels[r.label].c_str(), r.probs[r.label]);
  for (const std::string* p : {&f.png, &f.svg}) {
    if (p->empty()) continue;
    if (r.weights.empty()) throw ConfigError("classify: this model pools without attention, so there is no attention to draw");
    viz::render_shaded_text(sentences[0], r.weights, title, *p);
    std::fprintf(stderr, "wrote %s\n", p->c_str());
  }
  if (!f.trace.empty() || !f.html.empty()) {
    const io::Trace t = model->trace(sentences[0]);
    if (!f.trace.empty()) {
      io::write_trace(t, f.trace);
      std::fprintf(stderr, "wrote %s\n", f.trace.c_str());
    }
    if (!f.html.empty()) {
      write_file_atomic(f.html, serve::export_html(serve::TraceSource(t), serve::AssetStore()));
      std::fprintf(stderr, "wrote %s\n", f.html.c_str());
    }
  }
}

void setup_classify(CLI::App& app) {
  auto* sub = app.add_subcommand("classify", "Classify text with a trained sentiment model and show the words it attended to");
  auto f = std::make_shared<ClassifyFlags>();
  add_model_flag(sub, f->model);
  sub->add_option("text", f->texts, "Text(s) to classify")->required();
  sub->add_flag("--no-color", f->no_color, "Plain text: each word followed by its weight");
  sub->add_option("--png", f->png, "Write the shaded sentence as PNG");
  sub->add_option("--svg", f->svg, "Write the shaded sentence as SVG");
  sub->add_option("--trace", f->trace, "Write the attention trace (NAME.attn.safetensors)");
  sub->add_option("--html", f->html, "Write a standalone offline viewer (HTML)");
  sub->callback([f] { run(*f); });
}

ATTNSCOPE_REGISTER_COMMAND(setup_classify);

}  // namespace
}  // namespace attnscope::cli
