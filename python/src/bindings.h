// The parts of the Python module attnscope._core, one concept per file; module.cpp calls each.
// The module only converts between Python and the library (docs/PYTHON.md): every rule lives in
// the layer libraries, shared with the CLI.
#pragma once
#include <pybind11/pybind11.h>

namespace attnscope::python {

void bind_errors(pybind11::module_& m);    // errors.cpp: the library's errors as Python exceptions
void bind_trace(pybind11::module_& m);     // trace.cpp: Trace, Layer, NumPy views, read/write
void bind_analyze(pybind11::module_& m);   // analyze.cpp: the report of `attnscope analyze TRACE`
void bind_render(pybind11::module_& m);    // render.cpp: the pictures of `attnscope render`
void bind_viewer(pybind11::module_& m);    // viewer.cpp: the viewer of `attnscope view`, in a thread

}  // namespace attnscope::python
