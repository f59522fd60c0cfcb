// libFuzzer target: nn checkpoints on arbitrary bytes. The safetensors layer validates the
// container; this feeds what lies on top: the checkpoint metadata (format, model type, JSON
// config / training / optimizer / rng blocks, hex RNG states), the model config that builds a
// ReverseModel, and the name/shape/optimizer-slot validation of load_checkpoint. Malformed
// input must end in an attnscope::Error, never a crash or a huge allocation.
#include <cstddef>
#include <cstdint>
#include <string>

#include "attnscope/core/error.h"
#include "attnscope/io/safetensors.h"
#include "attnscope/nn/checkpoint.h"
#include "attnscope/models/reverse_model.h"
#include "attnscope/nn/optimizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace attnscope;
  try {
    const auto f = io::SafetensorsFile::from_bytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    const nn::CheckpointMeta meta = nn::read_checkpoint_meta(f);
    const models::ReverseConfig cfg = models::ReverseConfig::from_json(meta.config);
    // Keep the model small: the config is attacker-controlled.
    if (cfg.vocab > 64 || cfg.embed > 32 || cfg.hidden > 32 || cfg.layers > 2 || cfg.seq_len > 64) return 0;
    Rng rng(1), data_rng(2);
    models::ReverseModel model(cfg, rng);
    nn::AdamW opt(model.named_parameters(), nn::AdamOptions{});
    nn::load_checkpoint(f, model, model.model_type(), &opt, {{"data", &data_rng}});
  } catch (const Error&) {
  }
  return 0;
}
