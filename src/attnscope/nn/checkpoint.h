// Checkpoints: a Module's parameters (+ optimizer state + step + RNG states + a JSON model
// config + free-form JSON training state) in ONE safetensors file, written atomically (temp +
// rename; io::SafetensorsWriter), so a run killed at any moment leaves the previous
// checkpoint intact and can resume from it on the same loss curve.
//
// Layout: tensors named as Module::named_parameters() (f32); optimizer slots as
// "optimizer/<slot>/<param>"; __metadata__ (string -> string):
//   format = "attnscope.checkpoint", format_version = "1", model_type, config (JSON),
//   step, training (JSON), optimizer (JSON {type, steps, hyper}), rng (JSON {name: hex state}).
// Loading validates before changing anything: format, model type, every parameter present with
// its shape, no unexpected tensors, optimizer type and slots, requested RNG streams — each
// violation is a FormatError naming the file and what is wrong.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "attnscope/core/rng.h"
#include "attnscope/io/safetensors.h"
#include "attnscope/nn/module.h"
#include "attnscope/nn/optimizer.h"

namespace attnscope::nn {

struct CheckpointMeta {
  std::string model_type;        // e.g. "reverse-gru"; checked on load
  std::string config = "{}";     // model configuration (JSON object text)
  int64_t step = 0;              // training steps done
  std::string training = "{}";   // free-form training state (JSON object text)
};

using NamedRngs = std::vector<std::pair<std::string, Rng*>>;

// Saves model (+ optimizer, + model.named_rngs() and extra_rngs). Throws IoError/ConfigError.
void save_checkpoint(const std::string& path, Module& model, const CheckpointMeta& meta,
                     const Optimizer* optimizer = nullptr, const NamedRngs& extra_rngs = {});

// Reads only the metadata (to build the right model before loading it).
CheckpointMeta read_checkpoint_meta(const std::string& path);
CheckpointMeta read_checkpoint_meta(const io::SafetensorsFile& file);

// Loads into model (and optimizer, and the RNG streams: model.named_rngs() + extra_rngs, all
// of which must be in the file). expected_model_type empty = accept any. Returns the metadata.
CheckpointMeta load_checkpoint(const std::string& path, Module& model,
                               const std::string& expected_model_type,
                               Optimizer* optimizer = nullptr, const NamedRngs& extra_rngs = {});
// Same from an already opened (validated) file, e.g. SafetensorsFile::from_bytes.
CheckpointMeta load_checkpoint(const io::SafetensorsFile& file, Module& model,
                               const std::string& expected_model_type,
                               Optimizer* optimizer = nullptr, const NamedRngs& extra_rngs = {});

}  // namespace attnscope::nn
