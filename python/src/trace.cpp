// Trace and Layer for Python: the library's io::Trace behind a shared pointer, its arrays handed
// to NumPy without copying (read-only views whose base object keeps the trace alive), and
// traces built from NumPy arrays through io::trace_from_attention — the function behind
// `attnscope trace import`, so both write the same file for the same weights.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "attnscope/io/safetensors.h"
#include "attnscope/io/trace_import.h"
#include "attnscope/io/trace_io.h"
#include "bindings.h"

namespace py = pybind11;

namespace attnscope::python {
namespace {

using TracePtr = std::shared_ptr<io::Trace>;

// One layer of a trace, by index: holds the trace, so a Layer outlives the Trace object it came
// from without dangling.
struct LayerRef {
  TracePtr trace;
  size_t index = 0;
  const io::TraceLayer& get() const { return trace->layers[index]; }
};

// A read-only NumPy view of `values` shaped `shape` (C order); the trace is its base. None when
// the array is absent (e.g. no weights in a stats layer).
template <class T>
py::object view(const TracePtr& owner, const std::vector<T>& values, std::vector<py::ssize_t> shape) {
  if (values.empty()) return py::none();
  py::array_t<T> a(shape, values.data(), py::cast(owner));
  a.attr("setflags")(py::arg("write") = false);  // the trace is validated data: change it by building a new one
  return a;
}

const char* keep_name(io::TraceKeep k) {
  switch (k) {
    case io::TraceKeep::dense: return "dense";
    case io::TraceKeep::topk: return "topk";
    case io::TraceKeep::stats: return "stats";
  }
  return "?";
}

TracePtr from_attention(py::array_t<float, py::array::c_style | py::array::forcecast> attn, py::object tokens,
                        const std::string& mechanism, const std::map<std::string, std::string>& meta) {
  // tokens: a list of strings, or {"queries": [...], "keys": [...]}: the JSON of `trace import`.
  const std::string tokens_json = py::module_::import("json").attr("dumps")(tokens).cast<std::string>();
  std::vector<int64_t> shape(attn.shape(), attn.shape() + attn.ndim());
  io::TraceImportOptions opt;
  opt.mechanism = mechanism;
  opt.meta = meta;
  const std::span<const float> values(attn.data(), static_cast<size_t>(attn.size()));
  py::gil_scoped_release unlocked;
  return std::make_shared<io::Trace>(io::trace_from_attention(shape, values, tokens_json, opt));
}

}  // namespace

void bind_trace(py::module_& m) {
  py::class_<LayerRef>(m, "Layer", "One attention site of a trace; arrays are read-only views into the trace")
      .def_property_readonly("name", [](const LayerRef& l) { return l.get().name; })
      .def_property_readonly("query_seq", [](const LayerRef& l) { return l.get().query_seq; })
      .def_property_readonly("key_seq", [](const LayerRef& l) { return l.get().key_seq; })
      .def_property_readonly("mechanism", [](const LayerRef& l) { return l.get().mechanism; })
      .def_property_readonly("heads", [](const LayerRef& l) { return l.get().heads; })
      .def_property_readonly("queries", [](const LayerRef& l) { return l.get().queries; })
      .def_property_readonly("keys", [](const LayerRef& l) { return l.get().keys; })
      .def_property_readonly("keep", [](const LayerRef& l) { return keep_name(l.get().keep); })
      .def_property_readonly("k", [](const LayerRef& l) { return l.get().k; })
      .def_property_readonly("weights", [](const LayerRef& l) {
        const auto& L = l.get();
        return view(l.trace, L.weights, {L.heads, L.queries, L.keys});
      }, "[heads, queries, keys] float32 (dense layers), else None")
      .def_property_readonly("topk_index", [](const LayerRef& l) {
        const auto& L = l.get();
        return view(l.trace, L.topk_index, {L.heads, L.queries, L.k});
      })
      .def_property_readonly("topk_weight", [](const LayerRef& l) {
        const auto& L = l.get();
        return view(l.trace, L.topk_weight, {L.heads, L.queries, L.k});
      })
      .def_property_readonly("lse", [](const LayerRef& l) { return view(l.trace, l.get().lse, {l.get().heads, l.get().queries}); })
      .def_property_readonly("entropy", [](const LayerRef& l) { return view(l.trace, l.get().entropy, {l.get().heads, l.get().queries}); })
      .def_property_readonly("max_weight", [](const LayerRef& l) { return view(l.trace, l.get().max_weight, {l.get().heads, l.get().queries}); })
      .def_property_readonly("argmax", [](const LayerRef& l) { return view(l.trace, l.get().argmax, {l.get().heads, l.get().queries}); })
      .def_property_readonly("extras", [](const LayerRef& l) {
        py::dict d;
        for (const auto& [name, e] : l.get().extras)
          d[py::str(name)] = view(l.trace, e.values, std::vector<py::ssize_t>(e.shape.begin(), e.shape.end()));
        return d;
      })
      .def("__repr__", [](const LayerRef& l) {
        const auto& L = l.get();
        return "<attnscope.Layer '" + L.name + "' " + keep_name(L.keep) + " " + std::to_string(L.heads) + " heads x " +
               std::to_string(L.queries) + " queries x " + std::to_string(L.keys) + " keys>";
      });

  py::class_<io::Trace, TracePtr>(m, "Trace", "An attention trace (docs/TRACE_FORMAT.md)")
      .def_static("from_attention", &from_attention, py::arg("attn"), py::arg("tokens"), py::arg("mechanism") = "",
                  py::arg("meta") = std::map<std::string, std::string>{},
                  "A trace from weights [layers, heads, queries, keys] (or [heads, queries, keys], [queries, keys]) and "
                  "tokens (a list, or {'queries': [...], 'keys': [...]}), as `attnscope trace import` builds it. "
                  "A float32 C-order array is read in place.")
      .def_static("from_bytes", [](const py::bytes& b) {
        std::string bytes = b;
        py::gil_scoped_release unlocked;
        return std::make_shared<io::Trace>(io::parse_trace(io::SafetensorsFile::from_bytes(std::move(bytes), "<bytes>")));
      }, py::arg("data"), "Parses the bytes of a trace file (validated as read_trace does)")
      .def_property_readonly("layers", [](const TracePtr& t) {
        py::list out;
        for (size_t i = 0; i < t->layers.size(); ++i) out.append(LayerRef{t, i});
        return out;
      })
      .def_property_readonly("sequences", [](const io::Trace& t) {
        py::dict d;
        for (const auto& s : t.sequences) d[py::str(s.name)] = s.tokens;
        return d;
      }, "{sequence name: tokens}")
      .def_property_readonly("meta", [](const io::Trace& t) { return t.meta; })
      .def_property_readonly("steps", [](const io::Trace& t) { return t.steps; })
      .def("write", [](const io::Trace& t, const std::filesystem::path& path, bool f16) {
        py::gil_scoped_release unlocked;
        io::write_trace(t, path.string(), {.f16_weights = f16});
      }, py::arg("path"), py::arg("f16") = true, "Writes the trace file atomically (weights as float16 by default)")
      .def("to_bytes", [](const io::Trace& t, bool f16) {
        std::string bytes;
        {
          py::gil_scoped_release unlocked;
          bytes = io::serialize_trace(t, {.f16_weights = f16});
        }
        return py::bytes(bytes);
      }, py::arg("f16") = true)
      .def("__repr__", [](const io::Trace& t) {
        return "<attnscope.Trace " + std::to_string(t.layers.size()) + " layer(s), " +
               std::to_string(t.sequences.size()) + " sequence(s)>";
      });

  m.def("read_trace", [](const std::filesystem::path& path) {
    py::gil_scoped_release unlocked;
    return std::make_shared<io::Trace>(io::read_trace(path.string()));
  }, py::arg("path"), "Reads and validates a trace file (NAME.attn.safetensors)");
}

}  // namespace attnscope::python
