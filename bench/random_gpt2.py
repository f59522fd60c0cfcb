#!/usr/bin/python3
"""Writes a GPT-2-small-shaped checkpoint with random weights (GPT-2's init: N(0, 0.02), LayerNorm
1/0) in the Hugging Face layout, for controls: a model that never learned anything should show no
head roles (bench/focus_roles.sh). The GPT-2 tokenizer files are linked beside it when given.

Usage: /usr/bin/python3 bench/random_gpt2.py OUT_DIR [VOCAB_JSON MERGES_TXT] [--layers L]
"""
import json
import os
import struct
import sys

import numpy as np


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    layers = 12
    if "--layers" in sys.argv:
        layers = int(sys.argv[sys.argv.index("--layers") + 1])
        args = [a for a in args if a != str(layers)]
    out = args[0]
    os.makedirs(out, exist_ok=True)
    C, NH, V, P = 768, 12, 50257, 1024
    rng = np.random.default_rng(0)
    w = {"transformer.wte.weight": (V, C), "transformer.wpe.weight": (P, C)}
    for i in range(layers):
        p = f"transformer.h.{i}."
        w.update({p + "attn.c_attn.weight": (C, 3 * C), p + "attn.c_proj.weight": (C, C),
                  p + "mlp.c_fc.weight": (C, 4 * C), p + "mlp.c_proj.weight": (4 * C, C)})
    header, off = {}, 0
    tensors = []
    for name, shape in w.items():
        tensors.append((name, rng.normal(0, 0.02, shape).astype("<f4")))
    for i in range(layers):
        p = f"transformer.h.{i}."
        for n, c in (("ln_1", C), ("ln_2", C)):
            tensors += [(p + n + ".weight", np.ones(c, "<f4")), (p + n + ".bias", np.zeros(c, "<f4"))]
        tensors += [(p + "attn.c_attn.bias", np.zeros(3 * C, "<f4")), (p + "attn.c_proj.bias", np.zeros(C, "<f4")),
                    (p + "mlp.c_fc.bias", np.zeros(4 * C, "<f4")), (p + "mlp.c_proj.bias", np.zeros(C, "<f4"))]
    tensors += [("transformer.ln_f.weight", np.ones(C, "<f4")), ("transformer.ln_f.bias", np.zeros(C, "<f4"))]
    for name, a in tensors:
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + a.nbytes]}
        off += a.nbytes
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(os.path.join(out, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for _, a in tensors:
            f.write(a.tobytes())
    cfg = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_embd": C, "n_layer": layers, "n_head": NH,
           "vocab_size": V, "n_positions": P, "n_inner": None, "layer_norm_epsilon": 1e-5,
           "activation_function": "gelu_new"}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f)
    if len(args) >= 3:
        for src, dst in ((args[1], "vocab.json"), (args[2], "merges.txt")):
            link = os.path.join(out, dst)
            if not os.path.exists(link):
                os.symlink(os.path.abspath(src), link)


if __name__ == "__main__":
    main()
