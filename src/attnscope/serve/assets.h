// The viewer's static files (web/): embedded in the binary at build time (embed_assets.cmake
// turns every file under web/ into a byte array), or read from a directory with --web-root for
// development. Only files under that root with a known web extension are ever served: a path
// with an empty, "." or ".." segment, a backslash or a NUL byte is refused before any lookup.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace attnscope::serve {

struct EmbeddedAsset {
  std::string_view path;  // relative to web/, e.g. "views/head.js"
  std::string_view data;
};
// Defined in the generated web_assets.cpp.
std::span<const EmbeddedAsset> embedded_assets();

struct Asset {
  std::string content_type;
  std::string data;
};

// "text/javascript; charset=utf-8" for ".js", ...; empty for an extension that is never served.
std::string mime_type(std::string_view path);
// True when the URL path may name an asset (no traversal, no hidden or odd segments).
bool is_safe_asset_path(std::string_view url_path);

class AssetStore {
 public:
  // web_root empty: embedded assets; else files under that directory (checked to exist).
  explicit AssetStore(std::string web_root = {});
  // url_path as requested ("/", "/index.html", "/views/head.js"); nullopt when not served.
  std::optional<Asset> get(std::string_view url_path) const;
  const std::string& web_root() const { return root_; }

 private:
  std::string root_;  // canonical, or empty for embedded
};

}  // namespace attnscope::serve
