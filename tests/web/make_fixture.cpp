// Writes the viewer's fixture traces (browser tests, benchmarks) with io::write_trace:
//   viewer_fixture DIR          small.attn.safetensors (3 layers x 4 heads x 24 tokens, dense),
//                               topk.attn.safetensors (2 x 4 x 300, top-8), cross.attn.safetensors,
//                               roles.attn.safetensors (heads with planted roles, web/roles_trace.h),
//                               rtl.attn.safetensors (1 x 2 x 10, Arabic and Hebrew tokens),
//                               stats.attn.safetensors (1 x 2 x 12, row statistics only: head 0
//                               attends to the previous token, head 1 to the first),
//                               pair.attn.safetensors (2 x 3 x 12, sentence pair A = 0..4, B = 5..11,
//                               query/key vectors of width 4 (q = 0.1 (h+1)(d+1)(q mod 3 - 1),
//                               k = 0.2 (d+1) - 0.05 h k), next-token predictions k = 3)
//   viewer_fixture DIR --big    big.attn.safetensors (12 layers x 12 heads x 4,096 tokens, top-16)
#include <array>
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
    io::Trace pair = test::make_trace(2, 3, 12);
    pair.sequences[0].segments = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1};
    for (auto& L : pair.layers) {
      io::TraceLayer::Extra qv{{3, 12, 4}, {}}, kv{{3, 12, 4}, {}};
      for (int h = 0; h < 3; ++h)
        for (int i = 0; i < 12; ++i)
          for (int d = 0; d < 4; ++d) {
            qv.values.push_back(0.1f * float(h + 1) * float(d + 1) * float(i % 3 - 1));
            kv.values.push_back(0.2f * float(d + 1) - 0.05f * float(h * i));
          }
      L.extras["query"] = qv;
      L.extras["key"] = kv;
    }
    auto& pr = pair.predictions;
    pr.seq = "tokens";
    pr.k = 3;
    for (int q = 0; q < 12; ++q) {
      pr.labels.insert(pr.labels.end(), {"cand" + std::to_string(q), "alt", "other"});
      pr.index.insert(pr.index.end(), {100 + q, 7, 8});
      pr.prob.insert(pr.prob.end(), {0.5f, 0.25f, 0.125f});
      pr.target_rank.push_back(q == 11 ? 0 : 1 + q % 4);  // rank 4: outside the top 3
      pr.target_prob.push_back(q == 11 ? 0.f : q % 4 == 3 ? 0.0625f : std::array{0.5f, 0.25f, 0.125f}[q % 4]);
    }
    io::write_trace(pair, (dir / "pair.attn.safetensors").string());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "viewer_fixture: %s\n", e.what());
    return 1;
  }
  return 0;
}
