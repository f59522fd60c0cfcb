// Viewer: the interactive viewer of `attnscope view` serving a trace from a running Python
// program. The server runs in its own thread (it never touches Python, so it needs no GIL);
// close() — or leaving a `with` block, or the object's end — stops it and joins the thread.
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "attnscope/core/error.h"
#include "attnscope/io/trace.h"
#include "attnscope/serve/server.h"
#include "attnscope/serve/trace_source.h"
#include "attnscope/serve/viewer.h"
#include "bindings.h"

namespace py = pybind11;

namespace attnscope::python {
namespace {

class Viewer {
 public:
  Viewer(const io::Trace& trace, int port, bool open_browser) {
    // TraceSource validates and owns a copy: the Python trace stays independent of the server.
    auto source = std::make_shared<const serve::TraceSource>(trace);
    serve::ServerOptions o;
    o.port = port;
    server_ = std::make_unique<serve::Server>(std::move(source), o);
    server_->bind();
    url_ = server_->url();
    thread_ = std::thread([s = server_.get()] { s->run(); });
    // stop() is lost on a server that has not started listening yet: wait until it has.
    for (int i = 0; i < 500 && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!server_->is_running()) {
      close();
      throw IoError("viewer: the server did not start on " + url_);
    }
    if (open_browser) serve::open_in_browser(url_);
  }
  ~Viewer() { close(); }
  Viewer(const Viewer&) = delete;
  Viewer& operator=(const Viewer&) = delete;

  const std::string& url() const { return url_; }
  bool running() const { return thread_.joinable(); }
  void close() {
    if (!thread_.joinable()) return;
    server_->stop();
    thread_.join();
  }

 private:
  std::unique_ptr<serve::Server> server_;
  std::thread thread_;
  std::string url_;
};

}  // namespace

void bind_viewer(py::module_& m) {
  py::class_<Viewer>(m, "Viewer", "The attnscope viewer serving one trace on 127.0.0.1 from a background thread")
      .def(py::init<const io::Trace&, int, bool>(), py::arg("trace"), py::arg("port") = 0, py::arg("open_browser") = false,
           py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("url", &Viewer::url)
      .def_property_readonly("running", &Viewer::running)
      .def("close", &Viewer::close, py::call_guard<py::gil_scoped_release>(), "Stops the server (idempotent)")
      .def("__enter__", [](Viewer& v) -> Viewer& { return v; }, py::return_value_policy::reference)
      .def("__exit__", [](Viewer& v, const py::args&) { v.close(); }, py::call_guard<py::gil_scoped_release>())
      .def("__repr__", [](const Viewer& v) {
        return "<attnscope.Viewer " + v.url() + (v.running() ? "" : " (closed)") + ">";
      });
}

}  // namespace attnscope::python
