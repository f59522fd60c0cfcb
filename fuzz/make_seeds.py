#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, built from the real files in ../shared/data (never copied
into the repository): make_seeds.py SHARED_DATA_DIR OUT_DIR writes OUT_DIR/<target>/ for each
target. Besides the files themselves (whole, with the target's format byte in front where the
target wants one) it writes reduced versions (a few hundred vocabulary entries, the small tensors
only, the first lines) that keep the real structure but mutate fast. Without SHARED_DATA_DIR it
says so and writes nothing: the committed hand-made seeds in fuzz/corpus/ still run.
Standard library only (the CI machine has python3; numpy is not needed)."""
import json
import os
import struct
import sys
import zipfile
import zlib


def write(out, target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


# --- safetensors -----------------------------------------------------------------------------
def safetensors_split(data):
    n = struct.unpack_from("<Q", data, 0)[0]
    return json.loads(data[8:8 + n]), data[8 + n:]


def safetensors_build(tensors):
    """tensors: [(name, dtype, shape, bytes)] -> safetensors bytes."""
    header, blob = {}, b""
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(raw)]}
        blob += raw
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + blob


def safetensors_small(data, max_bytes):
    header, blob = safetensors_split(data)
    kept = []
    for name, t in sorted(header.items()):
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        if b - a <= max_bytes:
            kept.append((name, t["dtype"], t["shape"], blob[a:b]))
    return safetensors_build(kept), kept


# --- npy / npz --------------------------------------------------------------------------------
def npy(shape, descr, raw, fortran=False):
    hdr = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
        descr, "True" if fortran else "False", "".join("%d," % s for s in shape))
    hdr = hdr.encode()
    hdr += b" " * (-(10 + len(hdr) + 1) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr + raw


def npz(members, compressed):
    import io
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED) as z:
        for name, data in members:
            z.writestr(name, data)
    return buf.getvalue()


# --- GGUF (v2/v3) -----------------------------------------------------------------------------
GGUF_SCALAR = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}


class GgufReader:
    def __init__(self, data):
        self.d, self.p = data, 0

    def take(self, fmt):
        v = struct.unpack_from("<" + fmt, self.d, self.p)
        self.p += struct.calcsize("<" + fmt)
        return v[0]

    def string(self):
        n = self.take("Q")
        s = self.d[self.p:self.p + n]
        self.p += n
        return s

    def value(self, t):
        if t in GGUF_SCALAR:
            return self.take(GGUF_SCALAR[t])
        if t == 8:
            return self.string()
        if t == 9:
            et, n = self.take("I"), self.take("Q")
            return (et, [self.value(et) for _ in range(n)])
        raise ValueError("GGUF value type %d" % t)


def gguf_pack_value(t, v):
    if t in GGUF_SCALAR:
        return struct.pack("<" + GGUF_SCALAR[t], v)
    if t == 8:
        return struct.pack("<Q", len(v)) + v
    et, items = v
    return struct.pack("<IQ", et, len(items)) + b"".join(gguf_pack_value(et, x) for x in items)


def gguf_reduce(data, keep):
    """A vocabulary-only GGUF (no tensors) with every array cut to `keep` entries and token ids
    clamped into the cut vocabulary, so the reduced file still builds a tokenizer."""
    r = GgufReader(data)
    assert r.d[:4] == b"GGUF"
    r.p = 4
    version, n_tensors, n_kv = r.take("I"), r.take("Q"), r.take("Q")
    if n_tensors:
        return None  # only vocabulary files are reduced
    out = b"GGUF" + struct.pack("<IQQ", version, 0, n_kv)
    for _ in range(n_kv):
        key, t = r.string(), r.take("I")
        v = r.value(t)
        if t == 9:
            v = (v[0], v[1][:keep])
        elif key.endswith(b"_token_id") and t in (4, 5):
            v = min(v, keep - 1)
        out += gguf_pack_value(8, key) + struct.pack("<I", t) + gguf_pack_value(t, v)
    return out


# --- tokenizer.json ---------------------------------------------------------------------------
def tokenizer_json_small(doc, keep):
    """The same tokenizer.json with the vocabulary cut to its `keep` lowest ids (and the merges
    that only use kept tokens)."""
    doc = json.loads(json.dumps(doc))
    m = doc["model"]
    if isinstance(m.get("vocab"), dict):
        m["vocab"] = {k: v for k, v in m["vocab"].items() if v < keep}
    if "merges" in m:
        vocab = m.get("vocab", {})
        merges = []
        for mg in m["merges"]:
            a, b = mg.split(" ", 1) if isinstance(mg, str) else mg
            if a in vocab and b in vocab and a + b in vocab:
                merges.append(mg)
        m["merges"] = merges
    doc["added_tokens"] = [t for t in doc.get("added_tokens", []) if t.get("id", 0) < keep]
    return json.dumps(doc).encode()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_seeds.py SHARED_DATA_DIR OUT_DIR")
    src, out = sys.argv[1], sys.argv[2]
    if not os.path.isdir(src):
        print("fuzz seeds: %s not found, skipping the seeds from real files (the committed seeds in "
              "fuzz/corpus/ still run)" % src)
        return
    counts = {}

    def seed(target, name, data):
        write(out, target, name, data)
        counts[target] = counts.get(target, 0) + 1

    p = os.path.join
    bert = p(src, "tokenizer_bert_uncased")
    vec = p(src, "tokenizer_vectors_llamacpp")
    stories = p(src, "model_stories260K_llama")
    gold = p(src, "word_alignment_gold")

    # tokenizer: the first byte picks the format (0 llama2.c .bin, 1 tokenizer.json, 2 merges.txt,
    # 3 text for the built-in tokenizers) -- see fuzz/tokenizer_fuzz.cpp.
    if os.path.exists(p(stories, "tok512.bin")):
        seed("tokenizer", "llama2c-tok512.bin", b"\x00" + read(p(stories, "tok512.bin")))
    if os.path.exists(p(bert, "tokenizer.json")):
        raw = read(p(bert, "tokenizer.json"))
        doc = json.loads(raw)
        seed("tokenizer", "bert-tokenizer.json", b"\x01" + raw)
        seed("tokenizer", "bert-tokenizer-400.json", b"\x01" + tokenizer_json_small(doc, 400))
    if os.path.exists(p(vec, "gpt2_vocab.json")) and os.path.exists(p(vec, "gpt2_merges.txt")):
        vocab = json.loads(read(p(vec, "gpt2_vocab.json")))
        merges = read(p(vec, "gpt2_merges.txt")).decode().splitlines()
        merges = [m for m in merges if m and not m.startswith("#version")]
        doc = {"model": {"type": "BPE", "vocab": vocab, "merges": merges},
               "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False},
               "decoder": {"type": "ByteLevel"}, "added_tokens": []}
        seed("tokenizer", "gpt2-bpe-600.json", b"\x01" + tokenizer_json_small(doc, 600))
        head = read(p(vec, "gpt2_merges.txt")).split(b"\n")[:300]
        seed("tokenizer", "gpt2-merges-300.txt", b"\x02" + b"\n".join(head) + b"\n")
    for name in sorted(os.listdir(vec)) if os.path.isdir(vec) else []:
        if name.endswith(".gguf.inp"):  # llama.cpp's tokenizer test texts (many scripts, spaces)
            seed("tokenizer", name[:-len(".gguf.inp")] + "-text.txt", b"\x03" + read(p(vec, name)))

    # gguf: llama.cpp's vocabulary files, whole and cut to 600 tokens.
    for name in sorted(os.listdir(vec)) if os.path.isdir(vec) else []:
        if name.endswith(".gguf"):
            data = read(p(vec, name))
            seed("gguf", name, data)
            small = gguf_reduce(data, 600)
            if small:
                seed("gguf", name[:-5] + "-600.gguf", small)

    # safetensors / checkpoint: stories260K whole, and its tensors of at most 4 KB.
    st = p(stories, "stories260K.safetensors")
    if os.path.exists(st):
        data = read(st)
        small, kept = safetensors_small(data, 4096)
        seed("safetensors", "stories260K.safetensors", data)
        seed("safetensors", "stories260K-small.safetensors", small)
        seed("checkpoint", "stories260K-small.safetensors", small)
        # npy (odd first byte) / npz (even first byte) of the same real tensors.
        members = []
        for name, dtype, shape, raw in kept[:6]:
            if dtype == "F32":
                a = npy(shape, "<f4", raw)
                seed("npy", name.replace(".", "_") + ".npy", b"\x01" + a)
                members.append((name.replace(".", "_") + ".npy", a))
                half = struct.pack("<%de" % (len(raw) // 4), *struct.unpack("<%df" % (len(raw) // 4), raw))
                seed("npy", name.replace(".", "_") + "-f16-fortran.npy",
                     b"\x01" + npy(list(reversed(shape)), "<f2", half, fortran=True))
        if members:
            seed("npy", "stories260K-small.npz", b"\x00" + npz(members, False))
            seed("npy", "stories260K-small-deflate.npz", b"\x00" + npz(members, True))

    # word_alignments: the first byte's low bit is the index base (1 for the .gold files).
    for name in sorted(os.listdir(gold)) if os.path.isdir(gold) else []:
        path = p(gold, name)
        if not os.path.isfile(path) or name.endswith(".md") or name.endswith(".src-tgt"):
            continue
        lines = read(path).split(b"\n")
        base = b"\x01" if name.endswith(".gold") else b"\x00"
        seed("word_alignments", name, base + read(path))
        seed("word_alignments", name + "-40", base + b"\n".join(lines[:40]) + b"\n")

    # caption_files: the head of Flickr8k's caption CSV, and the same captions as Flickr8k.token.txt
    # lines (the first byte 0: not JSON).
    caps = p(src, "flickr8k_subset", "captions_subset1000.txt")
    if os.path.isfile(caps):
        head = read(caps).split(b"\n")[:41]
        seed("caption_files", "flickr8k-40.csv", b"\x00" + b"\n".join(head) + b"\n")
        token = [r.replace(b",", b"#0\t", 1) for r in head[1:] if r]
        seed("caption_files", "flickr8k-40.token", b"\x00" + b"\n".join(token) + b"\n")

    # viz: real images (the bytes are also decoded as a trace image).
    imgs = p(src, "flickr8k_subset")
    found = []
    for root, _, files in os.walk(imgs) if os.path.isdir(imgs) else []:
        for f in sorted(files):
            if f.lower().endswith((".jpg", ".jpeg", ".png")):
                found.append(os.path.join(root, f))
    for path in sorted(found, key=os.path.getsize)[:3]:
        seed("viz", os.path.basename(path), read(path))

    print("fuzz seeds from %s: %s" % (src, ", ".join("%s %d" % kv for kv in sorted(counts.items()))))


if __name__ == "__main__":
    main()
