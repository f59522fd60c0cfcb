"""Recording attention from PyTorch into attnscope traces.

    from attnscope.torch import AttentionRecorder
    with AttentionRecorder(model) as rec:          # every nn.MultiheadAttention inside `model`
        model(x)
    trace = rec.trace(tokens)                      # attnscope.Trace, layers in call order

nn.MultiheadAttention averages its weights over heads unless asked not to, and its callers (e.g.
a Transformer layer) may not ask for weights at all; while recording, each one is called with
need_weights=True and average_attn_weights=False, records the per-head weights [batch, heads,
queries, keys], and hands its caller exactly what the caller asked for. Any other module that
returns attention weights is recorded by a forward hook: `extract(output)` picks the weights
(default: the second item of a tuple, or `.attentions` of a Hugging Face output).

Run models in eval() mode: in training mode nn.MultiheadAttention returns weights after dropout.
In eval mode under torch.no_grad(), nn.TransformerEncoderLayer may take a fused path that never
calls its attention module; the recorder turns that path off where PyTorch allows it (2.1 and
later: torch.backends.mha); with older PyTorch, record with gradients enabled.
"""
import functools
import inspect

import torch
from torch import nn

from . import Trace

__all__ = ["AttentionRecorder"]


def _default_extract(output):
    if hasattr(output, "attentions") and output.attentions is not None:
        return output.attentions  # Hugging Face: a tuple with one [batch, heads, queries, keys] per layer
    if isinstance(output, (tuple, list)) and len(output) >= 2:
        return output[1]
    return None


class AttentionRecorder:
    """Records attention weights during forward passes; a context manager (or start()/stop())."""

    def __init__(self, modules, extract=None):
        """modules: an nn.Module (every nn.MultiheadAttention inside it, else the module itself is
        hooked as one that returns weights), or a list of modules. extract(output) -> the weights
        tensor [batch, heads, queries, keys] (or [heads, queries, keys], or a sequence of them)."""
        if isinstance(modules, nn.Module):
            found = [m for m in modules.modules() if isinstance(m, nn.MultiheadAttention)]
            modules = found or [modules]
        self.modules = list(modules)
        if not self.modules or not all(isinstance(m, nn.Module) for m in self.modules):
            raise TypeError("AttentionRecorder: expected an nn.Module or a non-empty list of nn.Modules")
        self.extract = extract or _default_extract
        self.records = []  # one [batch, heads, queries, keys] float32 CPU tensor per attention call
        self._undo = []

    # -- recording ---------------------------------------------------------------------------
    def start(self):
        if self._undo:
            return self
        mha = getattr(torch.backends, "mha", None)
        if mha is not None and hasattr(mha, "set_fastpath_enabled"):  # the fused path skips the module
            was = mha.get_fastpath_enabled()
            mha.set_fastpath_enabled(False)
            self._undo.append(lambda: mha.set_fastpath_enabled(was))
        for m in self.modules:
            if isinstance(m, nn.MultiheadAttention) and self.extract is _default_extract:
                self._patch_mha(m)
            else:
                handle = m.register_forward_hook(self._hook)
                self._undo.append(handle.remove)
        return self

    def stop(self):
        while self._undo:
            self._undo.pop()()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def clear(self):
        self.records.clear()

    def _add(self, w, what):
        if isinstance(w, (tuple, list)):
            for x in w:
                self._add(x, what)
            return
        if not isinstance(w, torch.Tensor):
            raise ValueError(f"attnscope.torch: {what} returned no attention weights tensor "
                             f"(got {type(w).__name__}); pass extract=")
        if w.dim() == 3:
            w = w.unsqueeze(0)  # unbatched [heads, queries, keys]
        if w.dim() != 4:
            raise ValueError(f"attnscope.torch: {what} returned weights of shape {list(w.shape)}; "
                             "expected [batch, heads, queries, keys]")
        self.records.append(w.detach().to("cpu", torch.float32))

    def _hook(self, module, inputs, output):
        self._add(self.extract(output), type(module).__name__)

    def _patch_mha(self, m):
        orig = m.forward  # the bound method of the class
        sig = inspect.signature(orig)
        had = "forward" in m.__dict__
        previous = m.__dict__.get("forward")

        @functools.wraps(orig)
        def forward(*args, **kwargs):
            bound = sig.bind(*args, **kwargs)
            want = bound.arguments.get("need_weights", True)
            average = bound.arguments.get("average_attn_weights", True)
            bound.arguments["need_weights"] = True
            bound.arguments["average_attn_weights"] = False
            out, w = orig(*bound.args, **bound.kwargs)
            self._add(w, "nn.MultiheadAttention")
            if not want:
                return out, None
            return out, (w.mean(dim=-3) if average else w)

        m.forward = forward

        def undo():
            if had:
                m.forward = previous
            else:
                del m.forward
        self._undo.append(undo)

    # -- results -----------------------------------------------------------------------------
    def weights(self, batch=0):
        """The recorded weights of one batch item: [calls, heads, queries, keys] float32 NumPy."""
        if not self.records:
            raise ValueError("attnscope.torch: nothing recorded; run the model inside the recorder (with PyTorch "
                             "before 2.1, under torch.no_grad() nn.TransformerEncoderLayer skips its attention module)")
        if not -self.records[0].shape[0] <= batch < self.records[0].shape[0]:
            raise IndexError(f"attnscope.torch: batch item {batch} out of range for a batch of "
                             f"{self.records[0].shape[0]}")
        shapes = {tuple(r.shape[1:]) for r in self.records}
        if len(shapes) != 1:
            raise ValueError("attnscope.torch: the recorded calls have different shapes "
                             f"{sorted(shapes)}; record one stack (or pass modules=) to make one trace")
        return torch.stack([r[batch] for r in self.records]).contiguous().numpy()

    def trace(self, tokens, *, batch=0, mechanism="scaled_dot", meta=None):
        """An attnscope.Trace of one batch item: a layer per recorded call ("layer.0", ...).
        tokens: a list (self-attention) or {"queries": [...], "keys": [...]}."""
        return Trace.from_attention(self.weights(batch), tokens, mechanism=mechanism, meta=dict(meta or {}))
