// One CLI vocabulary: shared flags are added through these helpers so that every subcommand
// spells them the same (--model, --data, -o/--output, --layer, --head, --threads, --seed,
// --capture dense|topk:K|stats).
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace attnscope::cli {

inline CLI::Option* add_model_flag(CLI::App* sub, std::string& model, bool required = true) {
  auto* o = sub->add_option("--model", model, "Model checkpoint (file or directory)");
  if (required) o->required();
  return o;
}
inline CLI::Option* add_data_flag(CLI::App* sub, std::string& data) {
  return sub->add_option("--data", data, "Input data file");
}
inline CLI::Option* add_output_flag(CLI::App* sub, std::string& out, bool required = true) {
  auto* o = sub->add_option("-o,--output", out, "Output path");
  if (required) o->required();
  return o;
}
inline CLI::Option* add_seed_flag(CLI::App* sub, uint64_t& seed) {
  return sub->add_option("--seed", seed, "Random seed (same seed and thread count, same bits)");
}
// --layer L (index or name) and --head H|mean.
inline void add_layer_head_flags(CLI::App* sub, std::string& layer, std::string& head) {
  sub->add_option("--layer", layer, "Layer (index or name)");
  sub->add_option("--head", head, "Head index, or 'mean' for the head average");
}
inline CLI::Option* add_capture_flag(CLI::App* sub, std::string& capture) {
  return sub->add_option("--capture", capture, "What attention to keep: dense | topk:K | stats")
      ->check([](const std::string& s) -> std::string {
        if (s == "dense" || s == "stats") return "";
        if (s.rfind("topk:", 0) == 0 && s.size() > 5 &&
            s.find_first_not_of("0123456789", 5) == std::string::npos && std::stoll(s.substr(5)) > 0)
          return "";
        return "expected dense, stats or topk:K (K > 0), got '" + s + "'";
      });
}

}  // namespace attnscope::cli
