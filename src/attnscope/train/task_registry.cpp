#include "attnscope/train/task_registry.h"

#include "attnscope/core/error.h"
#include "attnscope/train/tasks/caption_task.h"
#include "attnscope/train/tasks/reverse_task.h"
#include "attnscope/train/tasks/sentiment_task.h"
#include "attnscope/train/tasks/translate_task.h"

namespace attnscope::train {

const std::vector<TaskInfo>& tasks() {
  static const std::vector<TaskInfo> table = {
      {"translate",
       "Train a translation model with attention (built-in dates or your parallel text)",
       translate_settings(),
       translate_defaults,
       [](const Settings& s, uint64_t seed) { return std::make_unique<TranslateTask>(s, seed); },
       translate_eval_settings(),
       evaluate_translate},
      {"sentiment",
       "Train a sentence classifier whose attention shows the words behind its label (SST, TSV/CSV, built-in reviews)",
       sentiment_settings(),
       sentiment_defaults,
       [](const Settings& s, uint64_t seed) { return std::make_unique<SentimentTask>(s, seed); },
       sentiment_eval_settings(),
       evaluate_sentiment_checkpoint},
      {"caption",
       "Train an image captioner with soft, hard or adaptive attention over a CNN grid (built-in scenes or captioned photos)",
       caption_settings(),
       caption_defaults,
       [](const Settings& s, uint64_t seed) { return std::make_unique<CaptionTask>(s, seed); },
       caption_eval_settings(),
       evaluate_caption_checkpoint},
      {"reverse",
       "Learn to reverse sequences (GRU/LSTM encoder-decoder without attention)",
       reverse_settings(),
       reverse_defaults,
       [](const Settings& s, uint64_t seed) { return std::make_unique<ReverseTask>(s, seed); },
       {},
       nullptr},
  };
  return table;
}

const TaskInfo& find_task(const std::string& name) {
  std::string known;
  for (const auto& t : tasks()) {
    if (t.name == name) return t;
    known += (known.empty() ? "" : ", ") + t.name;
  }
  throw ConfigError("unknown task '" + name + "' (known: " + known + ")");
}

}  // namespace attnscope::train
