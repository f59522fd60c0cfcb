// One-file program built with `pkg-config --cflags --libs attnscope` by install_test.sh: a trace
// made by hand (a 2-token self-attention layer), written and read back through the library.
#include <attnscope/core/version.h>
#include <attnscope/io/trace_io.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  using namespace attnscope;
  if (argc < 2) return 2;
  io::Trace t;
  t.sequences.push_back({"tokens", {"hello", "world"}});
  io::TraceLayer l;
  l.name = "attn";
  l.query_seq = l.key_seq = "tokens";
  l.mechanism = "scaled_dot";
  l.queries = l.keys = 2;
  l.weights = {1.0f, 0.0f, 0.25f, 0.75f};  // [heads, queries, keys]
  t.layers.push_back(l);
  io::write_trace(t, argv[1]);
  const io::Trace back = io::read_trace(argv[1]);
  std::printf("attnscope %s (headers %d.%d.%d): %s %lldx%lld w[1][1]=%.2f\n", kVersion, ATTNSCOPE_VERSION_MAJOR,
              ATTNSCOPE_VERSION_MINOR, ATTNSCOPE_VERSION_PATCH, back.layers.at(0).name.c_str(),
              static_cast<long long>(back.layers[0].queries), static_cast<long long>(back.layers[0].keys),
              back.layers[0].weights.at(3));
}
