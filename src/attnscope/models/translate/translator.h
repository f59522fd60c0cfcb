// Translator: a trained encoder-decoder together with its text codec — what a checkpoint holds
// and what the CLI verbs (train/translate/eval translate, demo) use. Checkpoints are nn
// checkpoints with model_type "translate-<kind>" and config {"kind", "model", "codec"}.
#pragma once
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "attnscope/attention/recorder.h"
#include "attnscope/io/safetensors.h"
#include "attnscope/io/trace.h"
#include "attnscope/models/translate/codec.h"
#include "attnscope/models/translate/decode.h"
#include "attnscope/models/translate/seq2seq.h"
#include "attnscope/nn/checkpoint.h"

namespace attnscope::models {

// Builds an untrained model: kind "rnn" (RnnSeq2Seq) or "transformer" (TransformerSeq2Seq).
// The vocabulary sizes in `config` are overwritten from the codec. ConfigError for an unknown kind.
std::unique_ptr<Seq2SeqModel> make_seq2seq(const std::string& kind, nlohmann::json config,
                                           const TextCodec& codec, Rng& rng);

struct Translation {
  std::string text;                         // detokenized output
  std::vector<std::string> source_tokens;   // what the model read
  std::vector<std::string> target_tokens;   // what it wrote (without <eos>)
  std::vector<int64_t> target_ids;
};

class Translator {
 public:
  Translator(std::string kind, nlohmann::json model_config, TextCodec codec, uint64_t seed);
  // Loads a checkpoint written by save(); FormatError names what is wrong (not a translation
  // checkpoint, another model type, missing tensors).
  static Translator load(const std::string& path);
  // The same from an opened file (`name` for messages).
  static Translator load(const io::SafetensorsFile& file, const std::string& name);
  // training: the checkpoint's training record as JSON text.
  void save(const std::string& path, int64_t step, const std::string& training = "{}",
            const nn::Optimizer* optimizer = nullptr, const nn::NamedRngs& rngs = {}) const;
  // The checkpoint's config: {"kind", "model", "codec"} as JSON text.
  std::string config_json() const;

  std::vector<Translation> translate(const std::vector<std::string>& texts, const DecodeOptions& opt = {});
  // Translates `text`, then replays the decoder on its own output with a recorder attached:
  // a trace with sequences "source" and "target" and every attention site of the model.
  io::Trace trace(const std::string& text, const DecodeOptions& opt = {},
                  attention::Keep keep = attention::Keep::dense());
  // The teacher-forced attention of a known pair (for focus-over-training snapshots).
  io::Trace trace_pair(const std::vector<std::string>& source_tokens, const std::vector<std::string>& target_tokens,
                       attention::Keep keep = attention::Keep::dense());

  Seq2SeqModel& model() { return *model_; }
  const TextCodec& codec() const { return codec_; }
  const std::string& kind() const { return kind_; }
  std::string model_type() const { return "translate-" + kind_; }

 private:
  std::string kind_;
  std::string model_config_;  // the model's config as JSON text
  TextCodec codec_;
  std::unique_ptr<Seq2SeqModel> model_;
};

}  // namespace attnscope::models
