#include "attnscope/serve/report_page.h"

#include <nlohmann/json.hpp>

#include "attnscope/serve/offline_page.h"

namespace attnscope::serve {

std::string report_html(const nlohmann::json& report, const AssetStore& assets) {
  nlohmann::json shown = report;
  shown.erase("sums");
  return offline_page(assets, "report.html",
                      "<script id=\"attnscope-report\" type=\"application/json\">" + script_json(shown) + "</script>");
}

}  // namespace attnscope::serve
