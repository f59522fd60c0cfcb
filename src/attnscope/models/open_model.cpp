#include "attnscope/models/open_model.h"

#include <cstdio>
#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/data/sentiment.h"
#include "attnscope/io/safetensors.h"
#include "attnscope/models/sentiment/classifier.h"
#include "attnscope/models/translate/translator.h"
#include "attnscope/nn/checkpoint.h"

namespace attnscope::models {

bool is_trained_checkpoint(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  try {
    const io::SafetensorsFile f = io::SafetensorsFile::open(path);
    const auto it = f.metadata().find("format");
    return it != f.metadata().end() && it->second == "attnscope.checkpoint";
  } catch (const Error&) {
    return false;
  }
}

TrainedRun run_trained(const std::string& path, const std::string& text, attention::Keep keep) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw ValueError("empty input text");
  const std::string type = nn::read_checkpoint_meta(path).model_type;
  TrainedRun r;
  if (type.rfind("translate-", 0) == 0) {
    Translator t = Translator::load(path);
    const DecodeOptions d;
    r.trace = t.trace(text, d, keep);
    r.lines.push_back("translation: " + r.trace.meta["target_text"]);
    return r;
  }
  if (type.rfind("sentiment-", 0) == 0) {
    auto m = SentimentClassifier::load(path);
    const std::vector<std::string> words = data::sentiment_words(text);
    if (words.empty()) throw ValueError("empty input text");
    const Classification c = m->predict({words}).front();
    char line[160];
    std::snprintf(line, sizeof line, "%s %.3f", m->config().labels[c.label].c_str(), c.probs[c.label]);
    r.lines.push_back(line);
    r.trace = m->trace(words, keep);
    r.trace.meta["source_text"] = text;
    return r;
  }
  throw FormatError("'" + path + "' holds a '" + type + "' model, which trace, view and run do not know how to run");
}

}  // namespace attnscope::models
