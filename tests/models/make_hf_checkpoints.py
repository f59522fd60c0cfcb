#!/usr/bin/python3
"""Writes small random checkpoints in the exact Hugging Face layouts, with reference outputs
from an independent NumPy forward (float64), for tests/models/hf_models_test.cpp.

Usage: /usr/bin/python3 tests/models/make_hf_checkpoints.py OUT_DIR
Writes OUT_DIR/<name>/{config.json, model.safetensors (or sharded + index), reference.safetensors}
for: gpt2 (GPT2LMHeadModel names, Conv1D [in, out] weights), bert (BertForSequenceClassification),
llama_hf (LlamaForCausalLM: half-split RoPE, GQA, untied lm_head, 2 shards), llama_hf_f16
(the same weights stored as F16), and broken variants for error tests.
reference.safetensors holds "ids" (int32 [T]), "logits" ([T, V], or [labels] for bert) and
"attention" ([L, NH, T, T], softmax probabilities, masked entries 0).
Exit code 3 when NumPy is missing (the test then skips).
"""
import json
import math
import os
import struct
import sys

try:
    import numpy as np
except ImportError:
    sys.exit(3)


def write_safetensors(path, tensors, dtype="F32"):
    header, blobs, off = {}, [], 0
    for name, arr in tensors.items():
        if arr.dtype.kind in "iu":
            b, dt = arr.astype("<i4").tobytes(), "I32"
        else:
            b, dt = (arr.astype("<f2").tobytes(), "F16") if dtype == "F16" else (arr.astype("<f4").tobytes(), "F32")
        header[name] = {"dtype": dt, "shape": list(arr.shape), "data_offsets": [off, off + len(b)]}
        off += len(b)
        blobs.append(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def softmax_masked(s, mask):
    s = np.where(mask, s, -np.inf)
    s = s - s.max(-1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(-1, keepdims=True)


def layernorm(x, w, b, eps):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * w + b


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


_erf = np.vectorize(math.erf)


def gelu_erf(x):
    return 0.5 * x * (1 + _erf(x / math.sqrt(2)))


def rnd(rng, *shape, scale=0.3):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def gpt2(rng, out):
    C, L, NH, V, P, T = 32, 2, 4, 97, 40, 11
    HS = C // NH
    cfg = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_embd": C, "n_layer": L, "n_head": NH,
           "vocab_size": V, "n_positions": P, "n_inner": None, "layer_norm_epsilon": 1e-5,
           "activation_function": "gelu_new"}
    w = {"transformer.wte.weight": rnd(rng, V, C), "transformer.wpe.weight": rnd(rng, P, C),
         "transformer.ln_f.weight": 1 + rnd(rng, C, scale=0.1), "transformer.ln_f.bias": rnd(rng, C, scale=0.1)}
    for i in range(L):
        p = f"transformer.h.{i}."
        w.update({p + "ln_1.weight": 1 + rnd(rng, C, scale=0.1), p + "ln_1.bias": rnd(rng, C, scale=0.1),
                  p + "attn.c_attn.weight": rnd(rng, C, 3 * C), p + "attn.c_attn.bias": rnd(rng, 3 * C, scale=0.1),
                  p + "attn.c_proj.weight": rnd(rng, C, C), p + "attn.c_proj.bias": rnd(rng, C, scale=0.1),
                  p + "ln_2.weight": 1 + rnd(rng, C, scale=0.1), p + "ln_2.bias": rnd(rng, C, scale=0.1),
                  p + "mlp.c_fc.weight": rnd(rng, C, 4 * C), p + "mlp.c_fc.bias": rnd(rng, 4 * C, scale=0.1),
                  p + "mlp.c_proj.weight": rnd(rng, 4 * C, C), p + "mlp.c_proj.bias": rnd(rng, C, scale=0.1)})
    ids = rng.integers(0, V, T).astype(np.int32)
    f = {k: v.astype(np.float64) for k, v in w.items()}
    x = f["transformer.wte.weight"][ids] + f["transformer.wpe.weight"][:T]
    causal = np.tril(np.ones((T, T), bool))
    atts = []
    for i in range(L):
        p = f"transformer.h.{i}."
        a = layernorm(x, f[p + "ln_1.weight"], f[p + "ln_1.bias"], 1e-5)
        qkv = a @ f[p + "attn.c_attn.weight"] + f[p + "attn.c_attn.bias"]
        q, k, v = (qkv[:, j * C:(j + 1) * C].reshape(T, NH, HS).transpose(1, 0, 2) for j in range(3))
        pr = softmax_masked(q @ k.transpose(0, 2, 1) / math.sqrt(HS), causal)
        atts.append(pr)
        o = (pr @ v).transpose(1, 0, 2).reshape(T, C)
        x = x + o @ f[p + "attn.c_proj.weight"] + f[p + "attn.c_proj.bias"]
        m = layernorm(x, f[p + "ln_2.weight"], f[p + "ln_2.bias"], 1e-5)
        x = x + gelu_tanh(m @ f[p + "mlp.c_fc.weight"] + f[p + "mlp.c_fc.bias"]) @ f[p + "mlp.c_proj.weight"] + f[p + "mlp.c_proj.bias"]
    x = layernorm(x, f["transformer.ln_f.weight"], f["transformer.ln_f.bias"], 1e-5)
    logits = x @ f["transformer.wte.weight"].T
    save(out, "gpt2", cfg, w, ids, logits, np.array(atts))
    # Broken variants: a missing tensor, a shape that disagrees with config.json.
    broken = dict(w)
    del broken["transformer.h.1.mlp.c_fc.bias"]
    save(out, "gpt2_missing_tensor", cfg, broken)
    broken = dict(w)
    broken["transformer.h.0.attn.c_proj.weight"] = rnd(rng, C, C + 1)
    save(out, "gpt2_bad_shape", cfg, broken)
    save(out, "unknown_arch", dict(cfg, model_type="mamba"), w)
    broken = dict(w)
    broken["transformer.ln_f.bias"] = np.zeros(C, np.int32)
    save(out, "gpt2_bad_dtype", cfg, broken)


def bert(rng, out):
    C, L, NH, V, P, TV, I, T = 24, 2, 3, 53, 32, 2, 48, 9
    HS = C // NH
    cfg = {"architectures": ["BertForSequenceClassification"], "model_type": "bert", "hidden_size": C,
           "num_hidden_layers": L, "num_attention_heads": NH, "intermediate_size": I, "vocab_size": V,
           "max_position_embeddings": P, "type_vocab_size": TV, "layer_norm_eps": 1e-12, "hidden_act": "gelu",
           "position_embedding_type": "absolute", "id2label": {"0": "negative", "1": "neutral", "2": "positive"}}
    w = {"bert.embeddings.word_embeddings.weight": rnd(rng, V, C),
         "bert.embeddings.position_embeddings.weight": rnd(rng, P, C),
         "bert.embeddings.token_type_embeddings.weight": rnd(rng, TV, C),
         "bert.embeddings.LayerNorm.weight": 1 + rnd(rng, C, scale=0.1),
         "bert.embeddings.LayerNorm.bias": rnd(rng, C, scale=0.1),
         "bert.pooler.dense.weight": rnd(rng, C, C), "bert.pooler.dense.bias": rnd(rng, C, scale=0.1),
         "classifier.weight": rnd(rng, 3, C), "classifier.bias": rnd(rng, 3, scale=0.1)}
    for i in range(L):
        p = f"bert.encoder.layer.{i}."
        for n in ("query", "key", "value"):
            w[p + f"attention.self.{n}.weight"] = rnd(rng, C, C, scale=0.5)
            w[p + f"attention.self.{n}.bias"] = rnd(rng, C, scale=0.1)
        w.update({p + "attention.output.dense.weight": rnd(rng, C, C), p + "attention.output.dense.bias": rnd(rng, C, scale=0.1),
                  p + "attention.output.LayerNorm.weight": 1 + rnd(rng, C, scale=0.1),
                  p + "attention.output.LayerNorm.bias": rnd(rng, C, scale=0.1),
                  p + "intermediate.dense.weight": rnd(rng, I, C), p + "intermediate.dense.bias": rnd(rng, I, scale=0.1),
                  p + "output.dense.weight": rnd(rng, C, I), p + "output.dense.bias": rnd(rng, C, scale=0.1),
                  p + "output.LayerNorm.weight": 1 + rnd(rng, C, scale=0.1), p + "output.LayerNorm.bias": rnd(rng, C, scale=0.1)})
    ids = rng.integers(0, V, T).astype(np.int32)
    f = {k: v.astype(np.float64) for k, v in w.items()}
    logits, atts = bert_forward(f, ids, np.zeros(T, np.int64), L, NH, HS)
    save(out, "bert", cfg, w, ids, logits, atts)
    # A sentence pair: the same ids, token type 1 from position 4 on (no random draws: the later
    # fixtures keep their weights).
    types = (np.arange(T) >= 4).astype(np.int64)
    logits, atts = bert_forward(f, ids, types, L, NH, HS)
    write_safetensors(os.path.join(out, "bert", "reference_pair.safetensors"),
                      {"ids": ids, "types": types.astype(np.int32), "logits": logits.astype(np.float32),
                       "attention": atts.astype(np.float32)})


def bert_forward(f, ids, types, L, NH, HS):
    T, C = len(ids), NH * HS
    e = "bert.embeddings."
    x = layernorm(f[e + "word_embeddings.weight"][ids] + f[e + "position_embeddings.weight"][:T] +
                  f[e + "token_type_embeddings.weight"][types], f[e + "LayerNorm.weight"], f[e + "LayerNorm.bias"], 1e-12)
    full = np.ones((T, T), bool)
    atts = []
    for i in range(L):
        p = f"bert.encoder.layer.{i}."
        lin = lambda h, n: h @ f[p + n + ".weight"].T + f[p + n + ".bias"]
        q, k, v = (lin(x, f"attention.self.{n}").reshape(T, NH, HS).transpose(1, 0, 2) for n in ("query", "key", "value"))
        pr = softmax_masked(q @ k.transpose(0, 2, 1) / math.sqrt(HS), full)
        atts.append(pr)
        ctx = (pr @ v).transpose(1, 0, 2).reshape(T, C)
        a = layernorm(x + lin(ctx, "attention.output.dense"), f[p + "attention.output.LayerNorm.weight"],
                      f[p + "attention.output.LayerNorm.bias"], 1e-12)
        h = gelu_erf(lin(a, "intermediate.dense"))
        x = layernorm(a + lin(h, "output.dense"), f[p + "output.LayerNorm.weight"], f[p + "output.LayerNorm.bias"], 1e-12)
    pooled = np.tanh(x[0] @ f["bert.pooler.dense.weight"].T + f["bert.pooler.dense.bias"])
    return pooled @ f["classifier.weight"].T + f["classifier.bias"], np.array(atts)


def llama_hf(rng, out):
    C, L, NH, NKV, V, I, T, theta = 32, 2, 4, 2, 61, 40, 10, 10000.0
    HS = C // NH
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": C, "num_hidden_layers": L,
           "num_attention_heads": NH, "num_key_value_heads": NKV, "intermediate_size": I, "vocab_size": V,
           "max_position_embeddings": 64, "rms_norm_eps": 1e-6, "rope_theta": theta, "tie_word_embeddings": False}
    w = {"model.embed_tokens.weight": rnd(rng, V, C), "model.norm.weight": 1 + rnd(rng, C, scale=0.1),
         "lm_head.weight": rnd(rng, V, C)}
    for i in range(L):
        p = f"model.layers.{i}."
        w.update({p + "input_layernorm.weight": 1 + rnd(rng, C, scale=0.1),
                  p + "self_attn.q_proj.weight": rnd(rng, NH * HS, C, scale=0.5),
                  p + "self_attn.k_proj.weight": rnd(rng, NKV * HS, C, scale=0.5),
                  p + "self_attn.v_proj.weight": rnd(rng, NKV * HS, C), p + "self_attn.o_proj.weight": rnd(rng, C, NH * HS),
                  p + "post_attention_layernorm.weight": 1 + rnd(rng, C, scale=0.1),
                  p + "mlp.gate_proj.weight": rnd(rng, I, C), p + "mlp.up_proj.weight": rnd(rng, I, C),
                  p + "mlp.down_proj.weight": rnd(rng, C, I)})
    ids = rng.integers(0, V, T).astype(np.int32)
    f = {k: v.astype(np.float64) for k, v in w.items()}
    rms = lambda x, g: x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-6) * g
    inv = theta ** (-np.arange(0, HS, 2) / HS)
    ang = np.arange(T)[:, None] * inv[None, :]
    cos, sin = np.cos(np.concatenate([ang, ang], -1)), np.sin(np.concatenate([ang, ang], -1))  # [T, HS]

    def rope(x):  # x [H, T, HS], HF rotate_half
        x1, x2 = x[..., :HS // 2], x[..., HS // 2:]
        return x * cos + np.concatenate([-x2, x1], -1) * sin

    x = f["model.embed_tokens.weight"][ids]
    causal = np.tril(np.ones((T, T), bool))
    atts = []
    for i in range(L):
        p = f"model.layers.{i}."
        h = rms(x, f[p + "input_layernorm.weight"])
        q = rope((h @ f[p + "self_attn.q_proj.weight"].T).reshape(T, NH, HS).transpose(1, 0, 2))
        k = rope((h @ f[p + "self_attn.k_proj.weight"].T).reshape(T, NKV, HS).transpose(1, 0, 2))
        v = (h @ f[p + "self_attn.v_proj.weight"].T).reshape(T, NKV, HS).transpose(1, 0, 2)
        k, v = np.repeat(k, NH // NKV, 0), np.repeat(v, NH // NKV, 0)
        pr = softmax_masked(q @ k.transpose(0, 2, 1) / math.sqrt(HS), causal)
        atts.append(pr)
        x = x + (pr @ v).transpose(1, 0, 2).reshape(T, NH * HS) @ f[p + "self_attn.o_proj.weight"].T
        h = rms(x, f[p + "post_attention_layernorm.weight"])
        g = h @ f[p + "mlp.gate_proj.weight"].T
        x = x + ((g / (1 + np.exp(-g))) * (h @ f[p + "mlp.up_proj.weight"].T)) @ f[p + "mlp.down_proj.weight"].T
    logits = rms(x, f["model.norm.weight"]) @ f["lm_head.weight"].T
    # Sharded: layer 0 + embeddings in shard 1, the rest in shard 2, with the index.
    d = os.path.join(out, "llama_hf")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as fh:
        json.dump(cfg, fh, indent=1)
    names = list(w)
    first = [n for n in names if "layers.1." not in n and n != "lm_head.weight"]
    shards = {"model-00001-of-00002.safetensors": first,
              "model-00002-of-00002.safetensors": [n for n in names if n not in first]}
    wm = {}
    for fn, ns in shards.items():
        write_safetensors(os.path.join(d, fn), {n: w[n] for n in ns})
        wm.update({n: fn for n in ns})
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as fh:
        json.dump({"metadata": {}, "weight_map": wm}, fh, indent=1)
    write_safetensors(os.path.join(d, "reference.safetensors"),
                      {"ids": ids, "logits": logits.astype(np.float32), "attention": np.array(atts).astype(np.float32)})
    # The same model stored in F16 (weights rounded; the reference is recomputed by the test
    # tolerance-free comparison against the F32 load being within F16 rounding).
    save(out, "llama_hf_f16", cfg, w, dtype="F16")


def save(out, name, cfg, weights, ids=None, logits=None, att=None, dtype="F32"):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as fh:
        json.dump(cfg, fh, indent=1)
    write_safetensors(os.path.join(d, "model.safetensors"), weights, dtype)
    if ids is not None:
        write_safetensors(os.path.join(d, "reference.safetensors"),
                          {"ids": ids, "logits": logits.astype(np.float32), "attention": att.astype(np.float32)})


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261121)
    gpt2(rng, out)
    bert(rng, out)
    llama_hf(rng, out)


if __name__ == "__main__":
    main()
