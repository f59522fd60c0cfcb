// Runs an imported architecture with a Recorder attached: a GPT-2-shaped model with random
// weights (written here as config.json + model.safetensors, the Hugging Face layout, so the
// example needs no download) reads a prompt, then decodes three tokens one at a time with its KV
// cache. Every attention call lands in the recorder at its query position, so the trace of prompt
// + steps is the trace of one full forward.
//   capture_gpt2 [OUT.attn.safetensors] [MODEL_DIR]
#include <attnscope/attention/recorder.h>
#include <attnscope/io/safetensors.h>
#include <attnscope/models/loader.h>
#include <attnscope/models/weight_source.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <span>
#include <string>
#include <vector>

using namespace attnscope;

// A 2-layer, 4-head GPT-2 (C = 32, V = 64) with random weights, in the Hugging Face GPT2Model
// layout (Conv1D weights [in, out]).
void write_random_gpt2(const std::string& dir) {
  const int64_t C = 32, V = 64, P = 64, L = 2;
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/config.json") << R"({"model_type": "gpt2", "n_embd": 32, "n_layer": 2, "n_head": 4,
    "vocab_size": 64, "n_positions": 64})";
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 0.3f);
  io::SafetensorsWriter w;
  auto add = [&](const std::string& name, std::vector<int64_t> shape, float fill = NAN) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::vector<float> v(n, fill);
    if (std::isnan(fill)) std::generate(v.begin(), v.end(), [&] { return normal(rng); });
    w.add_f32(name, std::move(shape), v);
  };
  add("wte.weight", {V, C});
  add("wpe.weight", {P, C});
  for (int64_t i = 0; i < L; ++i) {
    auto name = [&](const char* pattern) { return models::layer_name(pattern, i); };
    add(name("h.{i}.ln_1.weight"), {C}, 1.0f), add(name("h.{i}.ln_1.bias"), {C}, 0.0f);
    add(name("h.{i}.attn.c_attn.weight"), {C, 3 * C}), add(name("h.{i}.attn.c_attn.bias"), {3 * C}, 0.0f);
    add(name("h.{i}.attn.c_proj.weight"), {C, C}), add(name("h.{i}.attn.c_proj.bias"), {C}, 0.0f);
    add(name("h.{i}.ln_2.weight"), {C}, 1.0f), add(name("h.{i}.ln_2.bias"), {C}, 0.0f);
    add(name("h.{i}.mlp.c_fc.weight"), {C, 4 * C}), add(name("h.{i}.mlp.c_fc.bias"), {4 * C}, 0.0f);
    add(name("h.{i}.mlp.c_proj.weight"), {4 * C, C}), add(name("h.{i}.mlp.c_proj.bias"), {C}, 0.0f);
  }
  add("ln_f.weight", {C}, 1.0f);
  add("ln_f.bias", {C}, 0.0f);
  w.write(dir + "/model.safetensors");
}

int main(int argc, char** argv) try {
  const std::string out = argc > 1 ? argv[1] : "gpt2.attn.safetensors";
  const std::string dir = argc > 2 ? argv[2] : "random-gpt2";
  write_random_gpt2(dir);

  auto model = models::load_model(dir);  // format detected: HF dir, .safetensors, GGUF, llama2.c
  attention::Recorder rec(attention::Keep::dense());
  std::vector<int32_t> tokens = {1, 17, 42, 17, 42, 9};
  models::ModelOutput logits = model->forward(tokens, &rec);  // the prompt, one call
  for (int step = 0; step < 3; ++step) {  // greedy decoding, one call per token
    const float* last = logits.values.data() + (logits.rows - 1) * logits.cols;
    const int32_t next = static_cast<int32_t>(std::max_element(last, last + logits.cols) - last);
    tokens.push_back(next);
    logits = model->forward(std::span(&tokens.back(), 1), &rec);
  }
  std::vector<std::string> labels;
  for (int32_t id : tokens) labels.push_back("t" + std::to_string(id));
  rec.set_sequence({"tokens", labels});
  rec.write(out);  // NAME.attn.safetensors (docs/TRACE_FORMAT.md)

  const io::Trace trace = rec.to_trace();
  std::printf("recorded %zu calls\n", rec.size());
  for (const io::TraceLayer& layer : trace.layers)
    std::printf("layer %s: %lld heads, %lld x %lld\n", layer.name.c_str(), static_cast<long long>(layer.heads),
                static_cast<long long>(layer.queries), static_cast<long long>(layer.keys));
  std::printf("wrote %s\n", out.c_str());
} catch (const std::exception& e) {
  std::fprintf(stderr, "capture_gpt2: %s\n", e.what());
  return 1;
}
