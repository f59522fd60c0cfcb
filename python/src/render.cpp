// render: the pictures of `attnscope render` (viz::render_view, the function the CLI calls),
// written to a path; the Python side renders into a temporary file to return the bytes.
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <memory>
#include <string>

#include "attnscope/io/trace.h"
#include "attnscope/viz/render_view.h"
#include "bindings.h"

namespace py = pybind11;

namespace attnscope::python {

void bind_render(py::module_& m) {
  m.def("render", [](const std::shared_ptr<io::Trace>& trace, const std::filesystem::path& path, const std::string& view,
                     const std::string& layer, const std::string& head, const std::string& cmap, float vmax,
                     const std::string& scale, float threshold, int size, const std::string& base_dir) {
    viz::RenderRequest r;
    r.view = view;
    r.layer = layer;
    r.head = head;
    r.colormap = cmap;
    r.scale = {.vmax = vmax, .curve = viz::parse_scale_curve(scale)};
    r.threshold = threshold;
    r.size = size;
    r.base_dir = base_dir;
    py::gil_scoped_release unlocked;
    viz::render_view(*trace, r, path.string());
  }, py::arg("trace"), py::arg("path"), py::arg("view") = "heatmap", py::arg("layer") = "", py::arg("head") = "",
        py::arg("cmap") = "viridis", py::arg("vmax") = 0.0f, py::arg("scale") = "sqrt", py::arg("threshold") = 0.05f,
        py::arg("size") = 0, py::arg("base_dir") = "");
}

}  // namespace attnscope::python
