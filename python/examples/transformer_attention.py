#!/usr/bin/env python3
"""BertViz-style, without a notebook: run a PyTorch transformer on a sentence, record the
attention of every head, analyze it, render pictures and open the interactive viewer.

    PYTHONPATH=build/python python3 python/examples/transformer_attention.py OUT_DIR [--serve SECONDS]

Writes OUT_DIR/sentence.attn.safetensors (the trace), report.json (head measures and roles, as
`attnscope analyze` writes), model_view.png (every layer x head) and head_view.svg (BertViz's
head view of the last layer), then serves the trace in the viewer for SECONDS (default 0: start,
print the address, stop). The model is a small, seeded, untrained PyTorch encoder; swap in any
model whose attention modules are nn.MultiheadAttention (or pass extract= for others).
"""
import argparse
import json
import os
import time

import torch
from torch import nn

import attnscope
from attnscope.torch import AttentionRecorder

SENTENCE = "the cat sat on the mat because the mat was warm".split()


class TinyEncoder(nn.Module):
    """Embeddings with learned positions and a stack of nn.TransformerEncoderLayer."""

    def __init__(self, vocab, dim=32, heads=4, layers=3, max_len=64):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Embedding(max_len, dim)
        layer = nn.TransformerEncoderLayer(dim, heads, dim_feedforward=64, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers)

    def forward(self, ids):  # ids: [batch, T]
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        return self.encoder(self.tok(ids) + self.pos(positions))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--serve", type=float, default=0, help="seconds to keep the viewer running (default 0)")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)

    torch.manual_seed(0)
    vocab = {w: i for i, w in enumerate(sorted(set(SENTENCE)))}
    model = TinyEncoder(len(vocab)).eval()
    ids = torch.tensor([[vocab[w] for w in SENTENCE]])

    # 1. Record: every nn.MultiheadAttention inside the model, per head, in call order.
    with AttentionRecorder(model) as rec:
        model(ids)
    trace = rec.trace(SENTENCE, mechanism="scaled_dot", meta={"model": "tiny-encoder", "text": " ".join(SENTENCE)})
    path = os.path.join(args.out_dir, "sentence.attn.safetensors")
    trace.write(path)
    w = trace.layers[0].weights  # a NumPy view of the trace's storage: [heads, queries, keys]
    print(f"recorded {len(trace.layers)} layers x {w.shape[0]} heads over {w.shape[1]} tokens -> {path}")

    # 2. Analyze: the report `attnscope analyze TRACE --rollout` writes.
    report = attnscope.analyze(trace, rollout=True, source=os.path.basename(path))
    with open(os.path.join(args.out_dir, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    for layer in report["layers"]:
        print(f"  {layer['name']:10s} roles: {' '.join(h['role'] for h in layer['heads'])}")

    # 3. Render: bytes, to save or to show in any image widget.
    for name, kw in [("model_view.png", dict(view="model")), ("head_view.svg", dict(view="head", layer=-1))]:
        data = attnscope.render(trace, format=name.rsplit(".", 1)[1], **kw)
        with open(os.path.join(args.out_dir, name), "wb") as f:
            f.write(data)
        print(f"  wrote {name} ({len(data)} bytes)")

    # 4. View: the interactive viewer, served from a background thread of this program.
    with attnscope.view(trace) as viewer:
        print(f"attnscope viewer: {viewer.url}", flush=True)
        time.sleep(args.serve)
    print("viewer closed")


if __name__ == "__main__":
    main()
