// One CLI vocabulary: shared flags are added through these helpers so that every subcommand
// spells them the same (--model, --data, -o/--output, --layer, --head, --threads, --seed,
// --capture dense|topk:K|stats).
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include "attnscope/attention/recorder.h"
#include "attnscope/cli/flag_checks.h"
#include "attnscope/viz/color_scale.h"

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
// "1 layer", "3 layers", "2 queries": every count a verb prints.
inline std::string count_of(long long n, const std::string& one, const std::string& many = "") {
  return std::to_string(n) + " " + (n == 1 ? one : many.empty() ? one + "s" : many);
}
inline CLI::Option* add_seed_flag(CLI::App* sub, uint64_t& seed) {
  // Digits only, within 64 bits: "-1" or 10^26 would otherwise wrap into some other seed.
  const CLI::Validator digits(
      [](std::string& s) -> std::string {
        const bool ok = !s.empty() && s.size() <= 20 && s.find_first_not_of("0123456789") == std::string::npos &&
                        (s.size() < 20 || s <= "18446744073709551615");
        return ok ? "" : "a seed is an integer from 0 to 2^64-1, got '" + s + "'";
      },
      "UINT64");
  return sub->add_option("--seed", seed, "Random seed (same seed and thread count, same bits)")->check(digits);
}
// A user's text quoted in a one-line message: at most 60 bytes (cut before a UTF-8 character,
// never inside one), then "...".
inline std::string clip_for_message(const std::string& text) {
  constexpr size_t kMax = 60;
  if (text.size() <= kMax) return text;
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}
// --layer L (index or name) and --head H|mean.
inline void add_layer_head_flags(CLI::App* sub, std::string& layer, std::string& head) {
  sub->add_option("--layer", layer, "Layer (index or name)");
  sub->add_option("--head", head, "Head index, or 'mean' for the head average");
}
// --capture is parsed here, once, by attention::Keep::parse (the library's one spelling).
inline CLI::Option* add_capture_flag(CLI::App* sub, attention::Keep& keep) {
  return sub
      ->add_option_function<std::string>(
          "--capture",
          [&keep](const std::string& s) {
            try {
              keep = attention::Keep::parse(s);
            } catch (const std::exception& e) {
              throw CLI::ValidationError("--capture", e.what());
            }
          },
          "What attention to keep: dense | topk:K | stats (default dense), optionally followed by ,qk (query/key vectors for the neuron view) and ,next:K (a language model's K most probable next tokens per position)");
}

// --vmax W and --scale linear|sqrt: the colour scale of every picture (viz/color_scale.h).
inline void add_color_scale_flags(CLI::App* sub, viz::ColorScaleSpec& spec) {
  sub->add_option("--vmax", spec.vmax,
                  "Weight at the top of the colour scale (default: the 99th percentile of the nonzero weights, "
                  "as the viewer)")
      ->check(greater_than(0));
  sub->add_option_function<std::string>(
         "--scale",
         [&spec](const std::string& s) {
           try {
             spec.curve = viz::parse_scale_curve(s);
           } catch (const std::exception& e) {
             throw CLI::ValidationError("--scale", e.what());
           }
         },
         "Colour scale: sqrt (default, lifts small weights) or linear");
}

}  // namespace attnscope::cli
