#!/usr/bin/env python3
"""Issue 17: every command that parses files, under a 1 GB address-space limit (ulimit -v 1048576),
on each kind of crafted file of the issue. Each run must end in under 5 s of CPU time (and 30 s of wall time: no hang) with a one-line error
(or success where the input is legitimate), a non-zero exit below 128, and never a crash, a
sanitizer report or a multi-line stack.

    hostile_files_test.py ATTNSCOPE_BINARY WORK_DIR

The files are generated here (nothing committed): a 28-byte llama2.c .bin with huge dimensions, a
BERT config with num_labels 2^40, deep-JSON tokens / tokenizer / config files, npz and npy
declaring huge sizes, a top-k trace declaring a 2^20-key grid, traces whose image path is
/dev/zero or a FIFO, a safetensors file with 40,000 tensors. Not under ASan (label no-asan):
its shadow memory needs terabytes of address space."""
import json
import os
import resource
import shutil
import stat
import struct
import subprocess
import sys
import time
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fuzz"))
from make_seeds import npy, safetensors_build  # noqa: E402  (the format writers, one copy)

LIMIT_BYTES = 1 << 30  # ulimit -v 1048576 (KiB)
# The 5 s bound is on the command's CPU time (user + system): ctest runs tests side by side on
# shared cores, where wall time measured the neighbours (0.9 s of CPU took 8.6 s). A hang (a FIFO
# read) uses no CPU: the wall-clock bound catches it.
CPU_LIMIT_S = 5.0
WALL_LIMIT_S = 30.0


def limit_address_space():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))


def put(path, data):
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    return path


def deep_json(depth):
    return "[" * depth + "]" * depth


def trace_file(description, tensors):
    """An .attn.safetensors trace: the JSON description in the metadata, plus tensors."""
    body = safetensors_build(tensors)
    n = struct.unpack_from("<Q", body)[0]
    header = json.loads(body[8:8 + n])
    header["__metadata__"] = {"attnscope.trace": json.dumps(description)}
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + body[8 + n:]


def dense_trace(image_path):
    """A valid 1-layer cross-attention trace from 2 tokens to a 2x2 image grid naming image_path."""
    desc = {"format": "attnscope.trace", "version": 1,
            "sequences": [{"name": "tokens", "tokens": ["a", "b"]}, {"name": "image", "grid": [2, 2]}],
            "layers": [{"name": "cross", "query_seq": "tokens", "key_seq": "image", "heads": 1,
                        "queries": 2, "keys": 4, "keep": "dense", "mechanism": ""}],
            "image": {"path": image_path}}
    w = struct.pack("<8f", 0.25, 0.25, 0.25, 0.25, 0.7, 0.1, 0.1, 0.1)
    return trace_file(desc, [("layers.0.weights", "F32", [1, 2, 4], w)])


def make_files(d):
    """Writes the crafted files; returns {kind: path}."""
    f = {}
    # llama2.c .bin headers (dim, hidden, layers, heads, kv_heads, vocab, seq_len): 28 bytes.
    f["llama2c_layers"] = put(os.path.join(d, "layers.bin"), struct.pack("<7i", 2, 1, 0x7FFFFFFF, 1, 1, 1, 1))
    f["llama2c_dims"] = put(os.path.join(d, "dims.bin"),
                            struct.pack("<7i", 0x40000000, 0x40000000, 1, 1, 1, -0x7FFFFFFF, 0x7FFFFFFF))
    # A valid tiny llama2.c model, to reach the tokenizer it is given.
    dim, hidden, layers, heads, vocab, seq = 8, 16, 1, 2, 32, 16
    n = (vocab * dim + layers * (dim + 4 * dim * dim + dim + 3 * hidden * dim) + dim + seq * (dim // heads))
    f["llama2c_tiny"] = put(os.path.join(d, "tiny.bin"), struct.pack("<7i", dim, hidden, layers, heads, heads, vocab, seq)
                            + struct.pack("<%df" % n, *([0.01] * n)))
    # A BERT classifier directory whose config claims 2^40 labels.
    bert = os.path.join(d, "bert")
    os.makedirs(bert, exist_ok=True)
    put(os.path.join(bert, "config.json"), json.dumps({
        "architectures": ["BertForSequenceClassification"], "model_type": "bert", "hidden_size": 8,
        "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8, "vocab_size": 10,
        "max_position_embeddings": 8, "num_labels": 1 << 40}))
    put(os.path.join(bert, "model.safetensors"), safetensors_build([]))
    put(os.path.join(bert, "vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhi\n")
    f["bert_labels"] = bert
    # Deep JSON: a model config, a tokenizer.json pre_tokenizer, trace-import tokens.
    deep = os.path.join(d, "deep_config")
    os.makedirs(deep, exist_ok=True)
    put(os.path.join(deep, "config.json"), '{"model_type": "llama", "x": ' + deep_json(100000) + "}")
    put(os.path.join(deep, "model.safetensors"), safetensors_build([]))
    f["deep_config"] = deep
    f["deep_tokenizer"] = put(os.path.join(d, "tokenizer.json"),
                              '{"model": {"type": "WordPiece", "vocab": {"a": 0}}, "pre_tokenizer": '
                              + deep_json(60000) + "}")
    f["deep_tokens"] = put(os.path.join(d, "deep_tokens.json"), deep_json(100000))
    f["tokens2"] = put(os.path.join(d, "tokens2.json"), '["a", "b"]')
    f["attn_npy"] = put(os.path.join(d, "attn.npy"),
                        npy([1, 1, 2, 2], "<f4", struct.pack("<4f", 0.5, 0.5, 1.0, 0.0)))
    # npy declaring 10^5 x 10^5 floats over 16 bytes of data; npz entries claiming 2^40 bytes.
    f["npy_huge"] = put(os.path.join(d, "huge.npy"), npy([1, 1, 100000, 100000], "<f4", b"\0" * 16))
    f["npz_huge"] = put(os.path.join(d, "huge.npz"), npz_lying(npy([1, 1, 2, 2], "<f4", b"\0" * 16), 1 << 40))
    # Top-k trace: 8,000 queries over a 1024 x 1024 image grid (dense: 32 GB), k = 1.
    q = 8000
    desc = {"format": "attnscope.trace", "version": 1,
            "sequences": [{"name": "tokens", "tokens": ["t%d" % i for i in range(q)]},
                          {"name": "image", "grid": [1024, 1024]}],
            "layers": [{"name": "cross", "query_seq": "tokens", "key_seq": "image", "heads": 1,
                        "queries": q, "keys": 1 << 20, "keep": "topk", "k": 1, "mechanism": ""}]}
    idx = struct.pack("<%di" % q, *[(i * 131) % (1 << 20) for i in range(q)])
    ones = struct.pack("<%df" % q, *([1.0] * q))
    zeros = struct.pack("<%df" % q, *([0.0] * q))
    f["topk_huge"] = put(os.path.join(d, "topk_huge.attn.safetensors"), trace_file(desc, [
        ("layers.0.topk_index", "I32", [1, q, 1], idx), ("layers.0.topk_weight", "F32", [1, q, 1], ones),
        ("layers.0.entropy", "F32", [1, q], zeros), ("layers.0.max_weight", "F32", [1, q], ones),
        ("layers.0.argmax", "I32", [1, q], idx)]))
    # Traces whose image is /dev/zero, a FIFO (nobody writes to it), a directory.
    f["image_devzero"] = put(os.path.join(d, "devzero.attn.safetensors"), dense_trace("/dev/zero"))
    fifo = os.path.join(d, "fifo.jpg")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    f["image_fifo"] = put(os.path.join(d, "fifo.attn.safetensors"), dense_trace("fifo.jpg"))
    f["image_dir"] = put(os.path.join(d, "dir.attn.safetensors"), dense_trace("/"))
    # FIFOs nobody writes to (or reads from) named as a model, data and an output: an open would
    # block forever, and the atomic rename would replace the FIFO itself.
    for name in ("model.fifo", "out.fifo.json"):
        if not os.path.exists(os.path.join(d, name)):
            os.mkfifo(os.path.join(d, name))
    f["fifo_model"], f["fifo_out"] = os.path.join(d, "model.fifo"), os.path.join(d, "out.fifo.json")
    # Safetensors with 40,000 one-element tensors (parse time was quadratic in the count).
    f["many_tensors"] = put(os.path.join(d, "many.safetensors"), safetensors_build(
        [("t%05d" % i, "F32", [1], b"\0\0\0\0") for i in range(40000)]))
    return f


def npz_lying(member, claimed):
    """An npz (stored) whose ZIP64 sizes claim `claimed` bytes for a small member."""
    path_bytes = b"attn.npy"
    import io
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("attn.npy", member)
    data = bytearray(buf.getvalue())
    # Patch the uncompressed and compressed sizes in the local and the central headers to
    # 0xFFFFFFFF and append nothing: the readers must not trust them (the fields stay 32-bit here,
    # so the claim is 4 GB; `claimed` documents intent for ZIP64 readers).
    for sig, off_sizes in ((b"PK\x03\x04", 18), (b"PK\x01\x02", 20)):
        at = data.find(sig)
        struct.pack_into("<II", data, at + off_sizes, 0xFFFFFFF0, min(claimed, 0xFFFFFFF0))
    del path_bytes
    return bytes(data)


def cases(bin_path, f, out):
    """(label, argv, may_succeed)."""
    o = os.path.join(out, "o")
    c = []
    for kind in ("llama2c_layers", "llama2c_dims", "bert_labels", "deep_config"):
        c.append((kind + " run", ["run", f[kind], "hi"], False))
        c.append((kind + " trace", ["trace", f[kind], "hi", "-o", o + ".attn.safetensors"], False))
        c.append((kind + " generate", ["generate", f[kind], "hi"], False))
    c.append(("llama2c_layers inspect", ["inspect", f["llama2c_layers"]], False))
    c.append(("deep_tokenizer run", ["run", f["llama2c_tiny"], "hi", "--tokenizer", f["deep_tokenizer"]], False))
    c.append(("deep_tokenizer trace", ["trace", f["llama2c_tiny"], "hi", "--tokenizer", f["deep_tokenizer"],
                                       "-o", o + ".attn.safetensors"], False))
    c.append(("deep_tokens trace import", ["trace", "import", f["attn_npy"], "--tokens", f["deep_tokens"],
                                           "-o", o + ".attn.safetensors"], False))
    for kind in ("npy_huge", "npz_huge"):
        c.append((kind + " trace import", ["trace", "import", f[kind], "--tokens", f["tokens2"],
                                           "-o", o + ".attn.safetensors"], False))
        c.append((kind + " inspect", ["inspect", f[kind]], False))
    for kind in ("topk_huge", "image_devzero", "image_fifo", "image_dir", "many_tensors"):
        may = kind != "many_tensors"  # a valid trace (bounded views are fine); not a trace
        c.append((kind + " inspect", ["inspect", f[kind]], True))  # a listing is legitimate
        c.append((kind + " show", ["show", f[kind]], may))
        for view in ("heatmap", "head", "model", "overlay"):
            c.append((kind + " render " + view, ["render", f[kind], "--view", view, "-o", o + ".png"], may))
        c.append((kind + " export", ["export", f[kind], "--html", "-o", o + ".html"], may))
        c.append((kind + " analyze", ["analyze", f[kind], "-o", o + "-report.json"], may))
        c.append((kind + " animate", ["animate", f[kind], "-o", o + ".gif"], may))
    c.append(("fifo model inspect", ["inspect", f["fifo_model"]], False))
    c.append(("fifo model translate", ["translate", "--model", f["fifo_model"], "hi"], False))
    c.append(("fifo data train", ["train", "translate", "--data", f["fifo_model"], "--steps", "1", "-q", "-o", o + ".ckpt"], False))
    c.append(("/dev/zero data train", ["train", "translate", "--data", "/dev/zero", "--steps", "1", "-q", "-o", o + ".ckpt"], False))
    c.append(("fifo output analyze", ["analyze", f["image_dir"], "-o", f["fifo_out"]], False))
    return c


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: hostile_files_test.py ATTNSCOPE_BINARY WORK_DIR")
    binary, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "out"))
    files = make_files(work)
    failures = []
    env = dict(os.environ, ATTNSCOPE_THREADS="1")
    for label, argv, may_succeed in cases(binary, files, os.path.join(work, "out")):
        t0, r0 = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            p = subprocess.run([binary] + argv, capture_output=True, timeout=WALL_LIMIT_S, env=env,
                               preexec_fn=limit_address_space, cwd=work)
            rc, err = p.returncode, p.stderr.decode(errors="replace")
        except subprocess.TimeoutExpired:
            rc, err = None, "(killed after %.0f s)" % WALL_LIMIT_S
        wall = time.monotonic() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        dt = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        lines = [ln for ln in err.splitlines() if ln.strip()]
        problem = None
        if rc is None or dt >= CPU_LIMIT_S:
            problem = "took %.1f s of CPU (%.1f s wall)" % (dt, wall)
        elif rc < 0 or rc >= 128:
            problem = "crashed (exit %d)" % rc
        elif rc == 0 and not may_succeed:
            problem = "succeeded on a hostile file"
        elif rc != 0 and len(lines) != 1:
            problem = "error is %d lines, not one" % len(lines)
        status = "ok" if rc == 0 else (lines[0] if lines else "")
        print("%-32s exit %-4s %5.2f s CPU %5.2f s wall  %s" % (label, rc, dt, wall, status[:150]))
        if problem:
            failures.append("%s: %s\n  %s\n  %s" % (label, problem, " ".join(argv), err.strip()[:2000]))
    if not stat.S_ISFIFO(os.stat(files["fifo_out"]).st_mode):
        failures.append("fifo output analyze: the output FIFO was replaced by a file")
    if failures:
        print("\nFAILED (%d):\n%s" % (len(failures), "\n".join(failures)))
        return 1
    print("all %d runs ended cleanly under a 1 GB address-space limit" % len(cases(binary, files, work)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
