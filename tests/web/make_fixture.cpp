// Writes the viewer's fixture traces (browser tests, benchmarks) with io::write_trace:
//   viewer_fixture DIR          small.attn.safetensors (3 layers x 4 heads x 24 tokens, dense),
//                               topk.attn.safetensors (2 x 4 x 300, top-8), cross.attn.safetensors,
//                               roles.attn.safetensors (heads with planted roles, web/roles_trace.h),
//                               rtl.attn.safetensors (1 x 2 x 10, Arabic and Hebrew tokens),
//                               stats.attn.safetensors (1 x 2 x 12, row statistics only: head 0
//                               attends to the previous token, head 1 to the first)
//   viewer_fixture DIR --big    big.attn.safetensors (12 layers x 12 heads x 4,096 tokens, top-16)
#include <cstdio>
#include <filesystem>
#include <string>

#include "attnscope/io/trace_io.h"
#include "serve/fixture_trace.h"
#include "web/roles_trace.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: viewer_fixture DIR [--big]\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  try {
    using namespace attnscope;
    if (argc > 2 && std::string(argv[2]) == "--big") {
      io::write_trace(test::make_topk_trace(12, 12, 4096, 16), (dir / "big.attn.safetensors").string());
      return 0;
    }
    io::write_trace(test::make_trace(3, 4, 24), (dir / "small.attn.safetensors").string());
    io::write_trace(test::make_topk_trace(2, 4, 300, 8), (dir / "topk.attn.safetensors").string());
    io::write_trace(test::make_cross_trace(), (dir / "cross.attn.safetensors").string());
    io::write_trace(test::make_roles_trace(), (dir / "roles.attn.safetensors").string());
    io::Trace rtl = test::make_trace(1, 2, 10);
    const char* words[] = {"\u0645\u0631\u062D\u0628\u0627", "\u05E9\u05DC\u05D5\u05DD", "the",
                           "\u0627\u0644\u0643\u062A\u0627\u0628", "\u05E2\u05D5\u05DC\u05DD",
                           "abc \u05D3\u05D2", "\u05D3\u05D2 abc", "\u0628\u064A\u062A",
                           " \u05D1\u05D9\u05EA", "\u0642"};
    for (size_t i = 0; i < 10; ++i) rtl.sequences[0].tokens[i] = words[i];
    io::write_trace(rtl, (dir / "rtl.attn.safetensors").string());
    io::Trace st = test::make_trace(1, 2, 12);
    io::TraceLayer& S = st.layers[0];
    S.keep = io::TraceKeep::stats;
    S.weights.clear();
    for (int64_t h = 0; h < 2; ++h)
      for (int64_t q = 0; q < 12; ++q) {
        S.entropy.push_back(0.1f * static_cast<float>(q + 1) + 0.05f * static_cast<float>(h));
        S.max_weight.push_back(h == 0 ? 0.9f - 0.05f * static_cast<float>(q) : 0.5f);
        S.argmax.push_back(h == 0 ? static_cast<int32_t>(q > 0 ? q - 1 : 0) : 0);
      }
    io::write_trace(st, (dir / "stats.attn.safetensors").string());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "viewer_fixture: %s\n", e.what());
    return 1;
  }
  return 0;
}
