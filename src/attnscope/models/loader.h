// load_model(): MODEL is a directory or a file; the format is detected:
//   directory with config.json + model.safetensors | model.safetensors.index.json | one *.safetensors
//   directory with a *.gguf or a llama2.c *.bin (when no safetensors)
//   file *.safetensors (config.json beside it), *.gguf, *.bin (llama2.c)
// A clear ConfigError/FormatError says what was expected when nothing fits.
// load_model_tokenizer(): the tokenizer beside the model (tokenizer.json, vocab.json +
// merges.txt, vocab.txt, tokenizer.bin, tok*.bin), or the GGUF's own vocabulary, or `override`.
#pragma once
#include <memory>
#include <string>

#include "attnscope/data/tokenizer.h"
#include "attnscope/models/model.h"

namespace attnscope::models {

std::unique_ptr<Model> load_model(const std::string& path);
std::unique_ptr<data::Tokenizer> load_model_tokenizer(const std::string& model_path, const std::string& override_path = "");

}  // namespace attnscope::models
