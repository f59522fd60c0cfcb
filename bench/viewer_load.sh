#!/usr/bin/env bash
# Loopback load test of `attnscope view` (issue 17): a 2-layer, 4-head, 64-token trace served on
# 127.0.0.1, then bench/viewer_load.py: requests/s, p50/p99, server RSS before/after, alone and with
# 8 slowloris clients connected. Bounded: 100,000 requests or 15 s a phase.
#   bench/viewer_load.sh [BUILD [viewer_load.py options]]   (default build/; e.g. --slow 40)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "${1:-$here/../build}" && pwd)/attnscope
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import json, struct, sys, random
random.seed(1)
L, H, T = 2, 4, 64
vals = []
for _ in range(L * H * T):
    row = [random.random() ** 4 for _ in range(T)]
    s = sum(row)
    vals += [x / s for x in row]
hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d, %d, %d), }" % (L, H, T, T)
hdr += " " * (-(10 + len(hdr) + 1) % 64) + "\n"
with open(sys.argv[1] + "/attn.npy", "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode() + struct.pack("<%df" % len(vals), *vals))
json.dump(["t%d" % i for i in range(T)], open(sys.argv[1] + "/tokens.json", "w"))
PY
"$bin" trace import "$work/attn.npy" --tokens "$work/tokens.json" -o "$work/load.attn.safetensors" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" view "$work/load.attn.safetensors" --port "$port" >"$work/view.log" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q "http://" "$work/view.log" 2>/dev/null && break; sleep 0.1; done
python3 "$here/viewer_load.py" "$port" "$server" "${@:2}"
