#include "attnscope/models/open_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/core/rng.h"
#include "attnscope/data/sentiment.h"
#include "attnscope/io/safetensors.h"
#include "attnscope/models/pipeline.h"
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

// A trained checkpoint, loaded once.
struct TrainedModel {
  std::unique_ptr<Translator> translator;
  std::unique_ptr<SentimentClassifier> classifier;

  explicit TrainedModel(const std::string& path) {
    const std::string type = nn::read_checkpoint_meta(path).model_type;
    if (type.rfind("translate-", 0) == 0) translator = std::make_unique<Translator>(Translator::load(path));
    else if (type.rfind("sentiment-", 0) == 0) classifier = SentimentClassifier::load(path);
    else throw FormatError("'" + path + "' holds a '" + type + "' model, which trace, view and run do not know how to run");
  }

  TrainedRun run(const std::string& text, attention::Keep keep) const {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw ValueError("empty input text");
    TrainedRun r;
    if (translator) {
      r.trace = translator->trace(text, DecodeOptions{}, keep);
      r.lines.push_back("translation: " + r.trace.meta["target_text"]);
      return r;
    }
    const std::vector<std::string> words = data::sentiment_words(text);
    if (words.empty()) throw ValueError("empty input text");
    const Classification c = classifier->predict({words}).front();
    char line[160];
    std::snprintf(line, sizeof line, "%s %.3f", classifier->config().labels[c.label].c_str(), c.probs[c.label]);
    r.lines.push_back(line);
    r.trace = classifier->trace(words, keep);
    r.trace.meta["source_text"] = text;
    return r;
  }
};

TrainedRun run_trained(const std::string& path, const std::string& text, attention::Keep keep) {
  return TrainedModel(path).run(text, keep);
}

struct TextTracer::Impl {
  attention::Keep keep;
  std::unique_ptr<TrainedModel> trained;
  std::unique_ptr<Pipeline> pipeline;
};

TextTracer::TextTracer(const std::string& path, attention::Keep keep, const std::string& tokenizer)
    : impl_(std::make_unique<Impl>()) {
  impl_->keep = keep;
  if (is_trained_checkpoint(path)) impl_->trained = std::make_unique<TrainedModel>(path);
  else impl_->pipeline = std::make_unique<Pipeline>(open_pipeline(path, tokenizer));
  // Refused before any text is run: candidates come from an imported language model's logits.
  if (keep.next > 0 && (impl_->trained || !impl_->pipeline->model->is_decoder()))
    throw ConfigError("next-token candidates (next:K) need a language model (an imported decoder); " + path + " is not one");
}

TextTracer::~TextTracer() = default;

bool TextTracer::trained() const { return impl_->trained != nullptr; }

io::Trace TextTracer::trace(const std::string& text, int64_t generate, const SamplingOptions& opt) {
  if (impl_->trained) {
    if (generate > 0) throw ConfigError("generating is for language models; this is a trained task model");
    return impl_->trained->run(text, impl_->keep).trace;
  }
  return capture_trace(*impl_->pipeline, text, impl_->keep, generate, opt);
}

io::Trace TextTracer::trace_pair(const std::string& a, const std::string& b) {
  if (impl_->trained) throw ConfigError("sentence pairs need an imported encoder with token types (BERT); this is a trained task model");
  return capture_pair_trace(*impl_->pipeline, a, b, impl_->keep);
}

io::Trace TextTracer::trace_ids(const std::vector<int32_t>& ids) {
  if (impl_->trained || !impl_->pipeline->model->is_decoder())
    throw ConfigError("token-id probes need an imported language model (decoder)");
  Pipeline& p = *impl_->pipeline;
  attention::Recorder rec(impl_->keep);
  p.model->reset();
  p.model->forward(ids, &rec);
  return make_trace(p, ids, rec, "");
}

io::Trace TextTracer::trace_repeated_random(int64_t n, uint64_t seed) {
  if (impl_->trained) throw ConfigError("the induction probe needs an imported language model");
  const data::Tokenizer& tok = *impl_->pipeline->tokenizer;
  const auto& sp = tok.specials();
  const int64_t V = tok.vocab_size();
  const int64_t ctx = impl_->pipeline->model->config().max_seq;
  if (n < 1 || 2 * n + 1 > ctx)
    throw ConfigError("the induction probe needs 1 <= 2n + 1 <= the context of " + std::to_string(ctx) + " tokens, n = " +
                      std::to_string(n));
  Rng rng(seed);
  std::vector<int32_t> half;
  while (static_cast<int64_t>(half.size()) < n) {
    const auto id = static_cast<int32_t>(rng.below(static_cast<uint64_t>(V)));
    if (id == sp.bos || id == sp.eos || id == sp.pad || id == sp.unk || id == sp.cls || id == sp.sep || id == sp.mask) continue;
    half.push_back(id);
  }
  std::vector<int32_t> ids;
  if (sp.bos >= 0) ids.push_back(sp.bos);
  ids.insert(ids.end(), half.begin(), half.end());
  ids.insert(ids.end(), half.begin(), half.end());
  return trace_ids(ids);
}

std::vector<int32_t> TextTracer::encode(const std::string& text) const {
  if (impl_->trained) throw ConfigError("token ids are for imported models");
  return encode_input(*impl_->pipeline, text);
}

std::vector<std::string> TextTracer::token_labels(const std::string& text) const {
  if (impl_->trained) return {};
  return models::token_labels(*impl_->pipeline->tokenizer, encode_input(*impl_->pipeline, text));
}

std::vector<double> TextTracer::leave_one_out(const std::vector<int32_t>& ids) {
  if (impl_->trained || !impl_->pipeline->model->is_decoder())
    throw ConfigError("leave-one-out importance needs an imported language model (decoder)");
  if (ids.size() < 2) throw ValueError("leave-one-out needs at least 2 tokens");
  Model& m = *impl_->pipeline->model;
  // log-softmax of the last position's logits at index `target` (-1: the argmax, returned).
  auto last_logprob = [&](const std::vector<int32_t>& x, int32_t& target) {
    m.reset();
    const ModelOutput out = m.forward(x);
    const float* row = out.values.data() + (out.rows - 1) * out.cols;
    if (target < 0) target = static_cast<int32_t>(std::max_element(row, row + out.cols) - row);
    const float mx = *std::max_element(row, row + out.cols);
    double sum = 0;
    for (int64_t v = 0; v < out.cols; ++v) sum += std::exp(static_cast<double>(row[v] - mx));
    return static_cast<double>(row[target] - mx) - std::log(sum);
  };
  int32_t target = -1;
  const double base = last_logprob(ids, target);
  std::vector<double> importance(ids.size());
  for (size_t j = 0; j < ids.size(); ++j) {
    std::vector<int32_t> x = ids;
    x.erase(x.begin() + static_cast<int64_t>(j));
    importance[j] = base - last_logprob(x, target);
  }
  m.reset();
  return importance;
}

Attribution TextTracer::attribute(const std::vector<int32_t>& ids) {
  if (impl_->trained || !impl_->pipeline->model->is_decoder())
    throw ConfigError("gradient attributions need an imported language model (decoder)");
  return models::attribute(*impl_->pipeline->model, ids, static_cast<int64_t>(ids.size()) - 1, -1);
}

Attribution TextTracer::attribute_loss(const std::vector<int32_t>& ids) {
  if (impl_->trained || !impl_->pipeline->model->is_decoder())
    throw ConfigError("gradient attributions need an imported language model (decoder)");
  return models::attribute_text_loss(*impl_->pipeline->model, ids);
}

std::vector<double> TextTracer::head_ablation(const std::vector<int32_t>& ids) {
  if (impl_->trained || !impl_->pipeline->model->is_decoder())
    throw ConfigError("head ablation needs an imported language model (decoder)");
  if (ids.size() < 2) throw ValueError("head ablation needs at least 2 tokens");
  Model& m = *impl_->pipeline->model;
  // Mean next-token negative log-likelihood of ids under the current ablation mask.
  auto nll = [&] {
    m.reset();
    const ModelOutput out = m.forward(ids);
    double sum = 0;
    for (int64_t t = 0; t + 1 < out.rows; ++t) {
      const float* row = out.values.data() + t * out.cols;
      const float mx = *std::max_element(row, row + out.cols);
      double z = 0;
      for (int64_t v = 0; v < out.cols; ++v) z += std::exp(static_cast<double>(row[v] - mx));
      sum += std::log(z) - static_cast<double>(row[ids[t + 1]] - mx);
    }
    return sum / static_cast<double>(out.rows - 1);
  };
  const int64_t L = layers(), H = heads();
  const double base = nll();
  std::vector<double> delta(static_cast<size_t>(L * H));
  std::vector<uint8_t> mask(static_cast<size_t>(L * H), 0);
  for (int64_t i = 0; i < L * H; ++i) {
    mask[i] = 1;
    m.ablate_heads(mask);
    delta[i] = nll() - base;
    mask[i] = 0;
  }
  m.ablate_heads({});
  m.reset();
  return delta;
}

int64_t TextTracer::layers() const { return impl_->pipeline ? impl_->pipeline->model->config().n_layers : 0; }
int64_t TextTracer::heads() const { return impl_->pipeline ? impl_->pipeline->model->config().n_heads : 0; }

int64_t TextTracer::vocab_size() const { return impl_->pipeline ? impl_->pipeline->tokenizer->vocab_size() : 0; }

}  // namespace attnscope::models
