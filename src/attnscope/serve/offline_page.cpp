#include "attnscope/serve/offline_page.h"

#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"

namespace attnscope::serve {
namespace {

std::string asset(const AssetStore& assets, const std::string& path) {
  auto a = assets.get("/" + path);
  ATTNSCOPE_CHECK(a.has_value(), IoError, "web asset '" + path + "' missing");
  return a->data;
}

// The value of attribute `name` in the tag starting at `at` ("" when absent).
std::string attribute(const std::string& html, size_t at, const std::string& name) {
  const size_t end = html.find('>', at), a = html.find(name + "=\"", at);
  if (a == std::string::npos || a > end) return {};
  const size_t v = a + name.size() + 2;
  return html.substr(v, html.find('"', v) - v);
}

}  // namespace

std::string script_json(const nlohmann::json& j) {
  std::string s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    out += s[i];
    if (s[i] == '<' && i + 1 < s.size() && s[i + 1] == '/') out += '\\';
  }
  return out;
}

std::string offline_page(const AssetStore& assets, const std::string& page, const std::string& data_scripts) {
  std::string html = asset(assets, page);
  // Preload hints name files that do not exist beside an exported page: drop those lines.
  for (size_t at; (at = html.find("<link rel=\"modulepreload\"")) != std::string::npos;)
    html.erase(at, html.find('\n', at) - at + 1);
  const std::string css = "<link rel=\"stylesheet\"";
  for (size_t at; (at = html.find(css)) != std::string::npos;) {
    const std::string href = attribute(html, at, "href");
    ATTNSCOPE_CHECK(!href.empty(), FormatError, page + ": a stylesheet link without href");
    html.replace(at, html.find('>', at) + 1 - at, "<style>\n" + asset(assets, href) + "</style>");
  }
  const std::string module = "<script type=\"module\" src=\"";
  const size_t at = html.find(module);
  ATTNSCOPE_CHECK(at != std::string::npos, FormatError, page + " lacks '" + module + "...'");
  const std::string entry = attribute(html, at, "src");
  const size_t end = html.find("</script>", at);
  ATTNSCOPE_CHECK(end != std::string::npos, FormatError, page + ": unterminated module script");
  // Every module but the loader, by path; the loader starts at `entry`.
  nlohmann::json modules = nlohmann::json::object();
  for (const auto& a : embedded_assets()) {
    const std::string path(a.path);
    if (path.size() > 3 && path.ends_with(".js") && path != "offline.js") modules[path] = asset(assets, path);
  }
  html.replace(at, end + 9 - at,
               "<script id=\"attnscope-modules\" type=\"application/json\" data-entry=\"" + entry + "\">" +
                   script_json(modules) + "</script>\n" + data_scripts + "\n<script type=\"module\">\n" +
                   asset(assets, "offline.js") + "</script>");
  return html;
}

}  // namespace attnscope::serve
