// The library's error hierarchy as Python exceptions, each also a built-in one so that ordinary
// handlers work: ShapeError, FormatError, ConfigError and BadValueError are ValueErrors, IoError
// is an OSError; all derive from attnscope.Error. The message is the library's one line.
#include <Python.h>

#include "attnscope/core/error.h"
#include "bindings.h"

namespace py = pybind11;

namespace attnscope::python {
namespace {

PyObject* g_error = nullptr;
PyObject* g_shape = nullptr;
PyObject* g_format = nullptr;
PyObject* g_config = nullptr;
PyObject* g_value = nullptr;
PyObject* g_io = nullptr;

PyObject* new_exception(py::module_& m, const char* name, PyObject* builtin) {
  const std::string qualified = std::string("attnscope.") + name;
  py::tuple bases = builtin ? py::make_tuple(py::handle(g_error), py::handle(builtin))
                            : py::make_tuple(py::handle(PyExc_Exception));
  PyObject* cls = PyErr_NewException(qualified.c_str(), bases.ptr(), nullptr);
  if (!cls) throw py::error_already_set();
  m.add_object(name, py::handle(cls));  // the module keeps a reference; the class lives as long as it
  return cls;
}

}  // namespace

void bind_errors(py::module_& m) {
  g_error = new_exception(m, "Error", nullptr);
  g_shape = new_exception(m, "ShapeError", PyExc_ValueError);
  g_format = new_exception(m, "FormatError", PyExc_ValueError);
  g_config = new_exception(m, "ConfigError", PyExc_ValueError);
  g_value = new_exception(m, "BadValueError", PyExc_ValueError);
  g_io = new_exception(m, "IoError", PyExc_OSError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ShapeError& e) {
      PyErr_SetString(g_shape, e.what());
    } catch (const FormatError& e) {
      PyErr_SetString(g_format, e.what());
    } catch (const ConfigError& e) {
      PyErr_SetString(g_config, e.what());
    } catch (const attnscope::ValueError& e) {
      PyErr_SetString(g_value, e.what());
    } catch (const IoError& e) {
      PyErr_SetString(g_io, e.what());
    } catch (const Error& e) {
      PyErr_SetString(g_error, e.what());
    }
  });
}

}  // namespace attnscope::python
