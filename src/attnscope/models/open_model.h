// One way to open a model for the verbs that run one (`trace`, `view`, `run`): a checkpoint
// written by `attnscope train` — a translator or a sentiment classifier, told apart by the
// model_type in its metadata — or, for every other path, an imported model (HF directory,
// .safetensors, GGUF, llama2.c .bin) through models::open_pipeline.
#pragma once
#include <string>
#include <vector>

#include "attnscope/attention/recorder.h"
#include "attnscope/io/trace.h"

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

}  // namespace attnscope::models
