// A page of web/ made into one file that works from file:// with no server and no network:
// its stylesheets are inlined, every ES module of web/ travels as text in #attnscope-modules and
// is loaded through blob: URLs by web/offline.js (starting at the page's own module), and the
// caller's data travels in <script> elements before it. Used by `export --html` (the viewer with
// a trace, html_export.h) and `analyze --html` (the report page, report_page.h).
#pragma once
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "attnscope/serve/assets.h"

namespace attnscope::serve {

// page: an HTML file of web/ ("index.html") whose stylesheets are <link rel="stylesheet"
// href="X"> lines and whose code is one <script type="module" src="ENTRY"></script>;
// data_scripts: <script> elements put before the loader. FormatError when the page lacks them.
std::string offline_page(const AssetStore& assets, const std::string& page, const std::string& data_scripts);

// JSON text safe inside <script>: "</" would end the element early.
std::string script_json(const nlohmann::json& j);

}  // namespace attnscope::serve
