// `analyze --html`: the report page (web/report.html) as one offline file holding the report.
// The page only renders: every number it shows comes from the report JSON (the output of
// `attnscope analyze`, focus/head_stats.h to_json), which travels in #attnscope-report.
#pragma once
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "attnscope/serve/assets.h"

namespace attnscope::serve {

// The page with `report` inside (its mergeable "sums" are left out: the page does not use them).
std::string report_html(const nlohmann::json& report, const AssetStore& assets);

}  // namespace attnscope::serve
