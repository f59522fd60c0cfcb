// The viewer's HTTP API, independent of any socket library so it can be tested (and fuzzed)
// directly. Small metadata is JSON; attention values travel as binary blocks (binary_block.h),
// fetched on demand and bounded in size, never the whole tensor.
//   GET /api/meta                       sequences, layers, steps, limits (JSON)
//   GET /api/tokens?seq=NAME            token strings of one sequence (JSON)
//   GET /api/tile?layer&head&level&ty&tx[&agg=max|mean][&fmt=f16|u8|f32]
//                                       one 256x256 tile of a level of detail (binary)
//   GET /api/row?layer&head&q           exact f32 weights of one query row (binary)
//   GET /api/edges?layer&head&q0&q1&k   top-k keys per query for rows [q0, q1) (binary)
//   GET /api/thumbs?size[&layer]        every head of every (or one) layer, u8 (binary)
// head is an index or "mean". Bad parameters -> 400, oversized requests -> 413, unknown
// endpoints -> 404; every error body is {"error": "..."}.
#pragma once
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "attnscope/serve/trace_source.h"

namespace attnscope::serve {

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// Largest answers the API gives (a request past them gets 413).
inline constexpr int64_t kMaxEdgeEntries = int64_t{1} << 20;  // (q1 - q0) * k
inline constexpr int64_t kMaxThumbBytes = int64_t{32} << 20;  // L * NH * size^2
inline constexpr int64_t kMaxThumbSize = 256;

class Api {
 public:
  explicit Api(std::shared_ptr<const TraceSource> source, size_t cache_bytes = size_t{64} << 20);
  // path: "/api/<endpoint>"; params: decoded query parameters. Never throws.
  ApiResponse handle(const std::string& path, const std::map<std::string, std::string>& params) const;
  // The /api/meta document (also embedded by the HTML export).
  std::string meta_json() const;
  const TraceSource& source() const { return *source_; }

 private:
  ApiResponse dispatch(const std::string& endpoint, const std::map<std::string, std::string>& p) const;
  std::shared_ptr<const TraceSource> source_;
  // LRU of encoded tile bodies: panning back and forth re-reads the same tiles.
  mutable std::mutex mu_;
  mutable std::list<std::pair<std::string, std::string>> lru_;
  mutable std::unordered_map<std::string, std::list<std::pair<std::string, std::string>>::iterator> index_;
  mutable size_t cached_bytes_ = 0;
  size_t cache_bytes_;
};

}  // namespace attnscope::serve
