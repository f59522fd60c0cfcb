#include "attnscope/serve/assets.h"

#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"

namespace attnscope::serve {
namespace fs = std::filesystem;

std::string mime_type(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  if (ends(".json")) return "application/json";
  return {};
}

bool is_safe_asset_path(std::string_view p) {
  if (p.empty() || p.front() != '/' || p.size() > 256) return false;
  p.remove_prefix(1);
  if (p.empty()) return true;  // "/" is index.html
  while (true) {
    const size_t slash = p.find('/');
    const std::string_view seg = p.substr(0, slash);
    if (seg.empty() || seg.front() == '.') return false;  // "", ".", "..", hidden files
    for (char c : seg)
      if (c == '\\' || c == '\0' || c == ':' || static_cast<unsigned char>(c) < 0x20) return false;
    if (slash == std::string_view::npos) return true;
    p.remove_prefix(slash + 1);
  }
}

AssetStore::AssetStore(std::string web_root) {
  if (web_root.empty()) return;
  std::error_code ec;
  const fs::path root = fs::canonical(web_root, ec);
  ATTNSCOPE_CHECK(!ec && fs::is_directory(root), IoError, "web root '" + web_root + "' is not a directory");
  ATTNSCOPE_CHECK(fs::exists(root / "index.html"), IoError,
                  "web root '" + web_root + "' has no index.html");
  root_ = root.string();
}

std::optional<Asset> AssetStore::get(std::string_view url_path) const {
  if (!is_safe_asset_path(url_path)) return std::nullopt;
  std::string rel(url_path.substr(1));
  if (rel.empty()) rel = "index.html";
  std::string type = mime_type(rel);
  if (type.empty()) return std::nullopt;
  if (root_.empty()) {
    for (const auto& a : embedded_assets())
      if (a.path == rel) return Asset{std::move(type), std::string(a.data)};
    return std::nullopt;
  }
  // Development mode: the segment check above already excludes "..", and the canonical path
  // must still lie under the root (a symlink inside web/ cannot lead out of it).
  std::error_code ec;
  const fs::path full = fs::canonical(fs::path(root_) / rel, ec);
  if (ec || !fs::is_regular_file(full)) return std::nullopt;
  const std::string s = full.string();
  if (s.size() <= root_.size() || s.compare(0, root_.size(), root_) != 0 || s[root_.size()] != '/')
    return std::nullopt;
  try {
    return Asset{std::move(type), read_file(s)};
  } catch (const IoError&) {
    return std::nullopt;
  }
}

}  // namespace attnscope::serve
