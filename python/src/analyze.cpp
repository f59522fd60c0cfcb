// analyze: the report of `attnscope analyze TRACE [--rollout] [--flow [--query Q]] [--fusion F]`
// (focus::analyze_trace, the function the CLI calls), as the JSON text the CLI writes; the
// Python side turns it into a dict.
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "attnscope/core/error.h"
#include "attnscope/focus/trace_analysis.h"
#include "attnscope/io/trace_io.h"
#include "bindings.h"

namespace py = pybind11;

namespace attnscope::python {
namespace {

focus::TraceAnalysisOptions options(bool rollout, bool flow, int64_t query, const std::string& fusion) {
  static const std::map<std::string, focus::HeadFusion> kFusions = {
      {"mean", focus::HeadFusion::mean}, {"max", focus::HeadFusion::max}, {"min", focus::HeadFusion::min}};
  const auto it = kFusions.find(fusion);
  if (it == kFusions.end()) throw ConfigError("analyze: head fusion '" + fusion + "' is not mean, max or min");
  if (query >= 0 && !flow) throw ConfigError("analyze: a query row picks a row of the flow; ask for the flow too");
  return {.rollout = rollout, .flow = flow, .query = query, .fusion = it->second};
}

}  // namespace

void bind_analyze(py::module_& m) {
  m.def("analyze", [](const std::shared_ptr<io::Trace>& trace, const std::string& source, bool rollout, bool flow,
                      int64_t query, const std::string& fusion) {
    const auto o = options(rollout, flow, query, fusion);
    py::gil_scoped_release unlocked;
    return focus::analyze_trace(*trace, source, o).dump(1);
  }, py::arg("trace"), py::arg("source") = "", py::arg("rollout") = false, py::arg("flow") = false,
        py::arg("query") = -1, py::arg("fusion") = "mean");
  m.def("analyze_file", [](const std::filesystem::path& path, bool rollout, bool flow, int64_t query,
                           const std::string& fusion) {
    const auto o = options(rollout, flow, query, fusion);
    py::gil_scoped_release unlocked;
    // "source" as the CLI names it: the file name without its directory.
    return focus::analyze_trace(io::read_trace(path.string()), path.filename().string(), o).dump(1);
  }, py::arg("path"), py::arg("rollout") = false, py::arg("flow") = false, py::arg("query") = -1,
        py::arg("fusion") = "mean");
}

}  // namespace attnscope::python
