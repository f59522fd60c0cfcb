// attnscope._core: the compiled half of the Python package (python/attnscope/ is the other).
#include "bindings.h"

PYBIND11_MODULE(_core, m) {
  m.doc() = "attnscope: attention traces, analysis, pictures and the viewer (C++ core)";
  attnscope::python::bind_errors(m);
  attnscope::python::bind_trace(m);
  attnscope::python::bind_analyze(m);
  attnscope::python::bind_render(m);
  attnscope::python::bind_viewer(m);
}
