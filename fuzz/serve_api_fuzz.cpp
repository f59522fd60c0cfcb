// libFuzzer target: the viewer's HTTP API on arbitrary request paths and query parameters (what
// a browser, or anything else on 127.0.0.1, can send). Every answer must be a JSON error or a
// well-formed block; nothing may throw, crash or allocate without bound.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "attnscope/io/trace.h"
#include "attnscope/serve/api.h"

namespace {

attnscope::io::Trace small_trace() {
  attnscope::io::Trace t;
  t.sequences.push_back({"tokens", {"a", "b", "c", "d", "e"}, 0, 0});
  attnscope::io::TraceLayer L;
  L.name = "l0";
  L.query_seq = L.key_seq = "tokens";
  L.heads = 2;
  L.queries = L.keys = 5;
  L.weights.assign(50, 0.2f);
  t.layers.push_back(L);
  return t;
}

}  // namespace

// Input: "endpoint\nkey=value\nkey=value..." (split on newlines, first '=' per line).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const attnscope::serve::Api api(std::make_shared<const attnscope::serve::TraceSource>(small_trace()));
  const std::string in(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> params;
  size_t nl = in.find('\n');
  const std::string path = "/api/" + in.substr(0, nl);
  while (nl != std::string::npos) {
    const size_t next = in.find('\n', nl + 1);
    const std::string line = in.substr(nl + 1, next == std::string::npos ? std::string::npos : next - nl - 1);
    const size_t eq = line.find('=');
    params.emplace(line.substr(0, eq), eq == std::string::npos ? "" : line.substr(eq + 1));
    nl = next;
  }
  const auto r = api.handle(path, params);
  if (r.status < 200 || r.status > 599) __builtin_trap();
  return 0;
}
