// Opens a model — a checkpoint written by training, or an imported one (Hugging Face directory,
// .safetensors, GGUF, llama2.c .bin) — runs it on a text with attention capture, and writes the
// trace file: what `attnscope trace MODEL TEXT -o OUT --capture MODE` does.
//   trace_model MODEL TEXT OUT.attn.safetensors [dense|topk:K|stats]
#include <attnscope/attention/recorder.h>
#include <attnscope/io/trace_io.h>
#include <attnscope/models/open_model.h>

#include <cstdio>

using namespace attnscope;

int main(int argc, char** argv) try {
  if (argc < 4) {
    std::fprintf(stderr, "usage: trace_model MODEL TEXT OUT.attn.safetensors [dense|topk:K|stats]\n");
    return 2;
  }
  const attention::Keep keep = attention::Keep::parse(argc > 4 ? argv[4] : "dense");
  models::TextTracer model(argv[1], keep);  // the one entry that opens any model
  const io::Trace trace = model.trace(argv[2]);
  io::write_trace(trace, argv[3]);
  std::printf("%s model, %zu attention layers traced\n", model.trained() ? "trained" : "imported", trace.layers.size());
  if (auto it = trace.meta.find("target_text"); it != trace.meta.end())
    std::printf("output: %s\n", it->second.c_str());
  for (const io::TraceLayer& layer : trace.layers)
    std::printf("layer %s: %lld x %lld, capture %s\n", layer.name.c_str(), static_cast<long long>(layer.queries),
                static_cast<long long>(layer.keys), keep.str().c_str());
  std::printf("wrote %s\n", argv[3]);
} catch (const std::exception& e) {
  std::fprintf(stderr, "trace_model: %s\n", e.what());
  return 1;
}
