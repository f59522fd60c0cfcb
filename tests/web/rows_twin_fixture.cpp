// The C++ half of the rows twin test (rows_twin.test.mjs): writes DIR/rows.attn.safetensors — a
// dense layer with zeros and exact ties (causal, uniform heads), a top-k layer and a
// cross-attention layer — then reads it back (weights as stored, f16) and writes
// DIR/rows.expected.json: for every matrix layer, head (and "mean") and query, focus::row and
// focus::row_topk (k = 5) of that row. The page's JavaScript (web/util/local_source.js) must
// give the same answers from the exported HTML.
#include <cstdio>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "attnscope/core/fs.h"
#include "attnscope/focus/topk.h"
#include "attnscope/focus/trace_row.h"
#include "attnscope/io/trace_io.h"
#include "serve/fixture_trace.h"

namespace {

using namespace attnscope;

// Head 0: uniform causal rows (ties among all kept keys, zeros after the query); head 1: random
// softmax rows from the fixture, masked causally and renormalized.
io::Trace make_rows_trace() {
  io::Trace t = test::make_trace(1, 2, 9);
  io::TraceLayer& L = t.layers[0];
  L.name = "causal";
  const int64_t T = L.queries;
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t q = 0; q < T; ++q) {
      float* w = L.weights.data() + (h * T + q) * T;  // [T]
      double sum = 0;
      for (int64_t k = 0; k <= q; ++k) sum += (w[k] = h == 0 ? 1.0f : w[k]);
      for (int64_t k = 0; k < T; ++k) w[k] = k <= q ? static_cast<float>(w[k] / sum) : 0.0f;
    }
  io::Trace sparse = test::to_topk(test::make_trace(1, 3, 9, 7), 3);
  sparse.layers[0].name = "sparse";
  t.layers.push_back(sparse.layers[0]);
  io::Trace cross = test::make_cross_trace();
  t.sequences.insert(t.sequences.end(), cross.sequences.begin(), cross.sequences.end());
  t.layers.push_back(cross.layers[0]);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: rows_twin_fixture DIR\n");
    return 2;
  }
  try {
    const std::filesystem::path dir = argv[1];
    std::filesystem::create_directories(dir);
    const std::string trace_path = (dir / "rows.attn.safetensors").string();
    io::write_trace(make_rows_trace(), trace_path);
    const io::Trace t = io::read_trace(trace_path);  // the weights the page will hold
    constexpr int64_t kEdges = 5;
    nlohmann::json layers = nlohmann::json::array();
    for (size_t l = 0; l < t.layers.size(); ++l) {
      const io::TraceLayer& L = t.layers[l];
      for (int64_t head = focus::kHeadMean; head < L.heads; ++head)
        for (int64_t q = 0; q < L.queries; ++q) {
          const std::vector<float> row = focus::row(L, head, q);
          std::vector<int32_t> index(kEdges);
          std::vector<float> weight(kEdges);
          focus::row_topk(row.data(), L.keys, kEdges, index.data(), weight.data());
          layers.push_back({{"layer", l}, {"head", head == focus::kHeadMean ? nlohmann::json("mean") : nlohmann::json(head)},
                            {"q", q}, {"row", row}, {"k", kEdges}, {"index", index}, {"weight", weight}});
        }
    }
    write_file_atomic((dir / "rows.expected.json").string(), layers.dump());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rows_twin_fixture: %s\n", e.what());
    return 1;
  }
  return 0;
}
