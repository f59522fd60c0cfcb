// `attnscope export --html`: one standalone, offline HTML file holding the viewer and the trace.
// The page's ES modules are inlined as text and loaded through blob: URLs (web/offline.js), the
// CSS is inlined, and the trace travels as one binary block (binary_block.h: per layer
// "<i>/weights" f16 [NH, Q, N], or "<i>/index" i32 + "<i>/weight" f16 [NH, Q, K]) deflated
// with zlib and base64-encoded, inflated in the page by DecompressionStream. No network use.
#pragma once
#include <cstdint>
#include <string>

#include "attnscope/serve/assets.h"
#include "attnscope/serve/trace_source.h"

namespace attnscope::serve {

// The largest trace an HTML export takes, in stored weights (dense entries + top-k entries):
// the page holds them as f32, so 16 Mi weights is 64 MiB of browser memory. Past it: ConfigError
// pointing to `attnscope view`.
inline constexpr int64_t kMaxExportWeights = int64_t{16} << 20;

int64_t stored_weights(const io::Trace& trace);
std::string export_html(const TraceSource& source, const AssetStore& assets,
                        int64_t max_weights = kMaxExportWeights);

}  // namespace attnscope::serve
