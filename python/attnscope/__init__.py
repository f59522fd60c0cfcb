"""attnscope from Python: attention traces, analysis, pictures and the viewer.

The compiled core (attnscope._core, pybind11) is the same library the `attnscope` command line
runs; this package only adapts arguments. See docs/PYTHON.md.

    import attnscope
    t = attnscope.Trace.from_attention(attn, tokens)   # attn: [layers, heads, queries, keys]
    t.write("run.attn.safetensors")
    report = attnscope.analyze(t, rollout=True)        # dict, as `attnscope analyze` writes
    png = attnscope.render(t, view="heatmap", layer=0)  # bytes
    with attnscope.view(t) as v:                       # the viewer, served from a thread
        print(v.url)
"""
import json as _json
import os as _os
import tempfile as _tempfile

from ._core import (  # noqa: F401  (re-exported)
    BadValueError,
    ConfigError,
    Error,
    FormatError,
    IoError,
    Layer,
    ShapeError,
    Trace,
    Viewer,
    read_trace,
)
from . import _core

__all__ = ["Trace", "Layer", "Viewer", "read_trace", "write_trace", "analyze", "render", "view",
           "Error", "ShapeError", "FormatError", "ConfigError", "BadValueError", "IoError"]


def write_trace(path, attn, tokens, *, mechanism="", meta=None, f16=True):
    """Writes weights [layers, heads, queries, keys] and their tokens as a trace file: the file
    `attnscope trace import` writes for the same array and tokens. Returns the Trace."""
    t = Trace.from_attention(attn, tokens, mechanism=mechanism, meta=dict(meta or {}))
    t.write(path, f16=f16)
    return t


def _trace_or_path(trace):
    if isinstance(trace, Trace):
        return trace
    if isinstance(trace, (str, bytes, _os.PathLike)):
        return None
    raise TypeError(f"expected an attnscope.Trace or a trace file path, got {type(trace).__name__}")


def analyze(trace, *, rollout=False, flow=False, query=None, fusion="mean", source=None):
    """The report of `attnscope analyze TRACE -o report.json` as a dict: head measures and roles,
    and with rollout/flow the matrices of every self-attention stack (query: one row of the flow).
    `trace` is a Trace or a path; `source` names an in-memory trace (a path's file name otherwise)."""
    q = -1 if query is None else int(query)
    if q < -1:
        raise ConfigError(f"analyze: query row {q} is negative")
    t = _trace_or_path(trace)
    if t is None:
        text = _core.analyze_file(trace, rollout=rollout, flow=flow, query=q, fusion=fusion)
    else:
        text = _core.analyze(t, source=source or "", rollout=rollout, flow=flow, query=q, fusion=fusion)
    return _json.loads(text)


def _spec(v, what):
    if v is None:
        return ""
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        raise TypeError(f"{what} must be an int or a str, got {type(v).__name__}")
    return str(v)


def render(trace, *, view="heatmap", layer=None, head=None, format="png", path=None, cmap="viridis",
           vmax=0.0, scale="sqrt", threshold=0.05, size=0, base_dir=""):
    """A picture of the trace, as `attnscope render` draws it: view 'heatmap' (head: index, 'mean'
    or 'all'), 'head', 'model' or 'overlay'; layer: index, negative from the end, or name.
    Returns the PNG/SVG/PDF bytes, or writes `path` (its extension picks the format) and returns None."""
    t = _trace_or_path(trace)
    if t is None:
        base_dir = base_dir or _os.path.dirname(_os.fspath(trace))
        t = read_trace(trace)
    kw = dict(view=view, layer=_spec(layer, "layer"), head=_spec(head, "head"), cmap=cmap, vmax=float(vmax),
              scale=scale, threshold=float(threshold), size=int(size), base_dir=_os.fspath(base_dir))
    if path is not None:
        _core.render(t, path, **kw)
        return None
    if format not in ("png", "svg", "pdf"):
        raise ConfigError(f"render: format '{format}' is not png, svg or pdf")
    with _tempfile.TemporaryDirectory(prefix="attnscope-render-") as d:
        out = _os.path.join(d, "picture." + format)
        _core.render(t, out, **kw)
        with open(out, "rb") as f:
            return f.read()


def view(trace, *, port=0, open_browser=False):
    """Serves the trace in the attnscope viewer from a background thread and returns at once.
    The returned Viewer has .url and .close(); use it as a context manager to stop it on exit."""
    t = _trace_or_path(trace)
    return Viewer(read_trace(trace) if t is None else t, port=int(port), open_browser=bool(open_browser))
