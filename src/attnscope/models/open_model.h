// One way to open a model for the verbs that run one (`trace`, `view`, `run`): a checkpoint
// written by `attnscope train` — a translator or a sentiment classifier, told apart by the
// model_type in its metadata — or, for every other path, an imported model (HF directory,
// .safetensors, GGUF, llama2.c .bin) through models::open_pipeline.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "attnscope/attention/recorder.h"
#include "attnscope/io/trace.h"
#include "attnscope/models/attribution.h"
#include "attnscope/models/generate.h"

namespace attnscope::models {

// True for a safetensors file whose metadata says format = attnscope.checkpoint. Anything else
// (a directory, GGUF, an unreadable file) is false: the imported-model path reports on it.
bool is_trained_checkpoint(const std::string& path);

// A trained model run on one text: what `run` prints and the attention it used.
struct TrainedRun {
  std::vector<std::string> lines;  // "translation: ..." / "positive 0.973"
  io::Trace trace;
};
// Translators translate the text (greedy) and trace source -> output; classifiers classify it and
// trace the pooling (and the Transformer's layers). FormatError for another model type,
// ValueError for an empty text.
TrainedRun run_trained(const std::string& path, const std::string& text, attention::Keep keep = attention::Keep::dense());

// A model opened once to trace many texts (a corpus): a trained checkpoint or an imported model.
// trace() of a text gives what `trace MODEL TEXT` writes. Errors as run_trained / open_pipeline.
class TextTracer {
 public:
  TextTracer(const std::string& path, attention::Keep keep, const std::string& tokenizer = "");
  ~TextTracer();
  TextTracer(const TextTracer&) = delete;
  TextTracer& operator=(const TextTracer&) = delete;
  bool trained() const;
  // generate > 0: imported decoders only (ConfigError otherwise).
  io::Trace trace(const std::string& text, int64_t generate = 0, const SamplingOptions& opt = {});
  // A sentence pair through an imported encoder with token types (capture_pair_trace); ConfigError
  // for trained checkpoints and decoders.
  io::Trace trace_pair(const std::string& a, const std::string& b);
  // Imported decoders: the trace of running these token ids (probes such as repeated random
  // sequences); ConfigError for trained checkpoints and encoders.
  io::Trace trace_ids(const std::vector<int32_t>& ids);
  // The induction probe of Olsson et al. (2022): BOS (when the tokenizer has one), n random
  // non-special tokens, then the same n again (seeded). Imported decoders only.
  io::Trace trace_repeated_random(int64_t n, uint64_t seed);
  // Imported models: the token ids of text as the model reads it (with BOS / [CLS] ...).
  std::vector<int32_t> encode(const std::string& text) const;
  // Imported models: those tokens as a trace of the text names them (empty for trained
  // checkpoints) — what corpus token counts are keyed by.
  std::vector<std::string> token_labels(const std::string& text) const;
  // Leave-one-out importance (imported decoders): for the token the model predicts after `ids`
  // (the argmax at the last position), importance[j] = log p(it | ids) - log p(it | ids without
  // token j). One forward per token.
  std::vector<double> leave_one_out(const std::vector<int32_t>& ids);
  // Head importance by ablation (Michel et al. 2019; imported decoders): for every (layer, head),
  // the increase of the text's mean next-token loss (nats) when that head's output is zeroed.
  // [n_layers * n_heads]; one forward per head.
  std::vector<double> head_ablation(const std::vector<int32_t>& ids);
  // Gradient attributions (models/attribution.h) of the token the model predicts after `ids`
  // (the argmax at the last position, as leave_one_out). Imported decoders with grad_forward.
  Attribution attribute(const std::vector<int32_t>& ids);
  // The same for the text's mean next-token loss (attribute_text_loss): gradient head importance.
  Attribution attribute_loss(const std::vector<int32_t>& ids);
  int64_t layers() const;
  int64_t heads() const;
  // Vocabulary size of an imported model's tokenizer (0 for trained checkpoints).
  int64_t vocab_size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace attnscope::models
