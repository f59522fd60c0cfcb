#!/usr/bin/env bash
# The installed package, used as a stranger would (docs/API.md): `cmake --install` into a fresh
# prefix, which is then moved (everything installed must be relative to the prefix); checks that
# no installed file names the source or build tree, that public headers include only installed
# headers, that libattnscope.so.0 exports only the attnscope namespace; builds examples/ with
# find_package(attnscope) given only CMAKE_PREFIX_PATH=<prefix> and runs each example, checking
# its output; compiles a one-file program with `pkg-config --cflags --libs attnscope`; runs the
# installed CLI with the installed viewer files.
#   install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/attnscope-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "install_test: $*" >&2; exit 1; }
# expect FILE REGEX: the output of a step must match.
expect() { grep -Eq -- "$2" "$1" || { cat "$1" >&2; fail "$(basename "$1"): no line matches '$2'"; }; }
export ATTNSCOPE_THREADS=1 OMP_WAIT_POLICY=passive

# docs/API.md shows excerpts of examples/: each cpp block opens with "// examples/NAME.cpp" and
# every line of it must be a line of that file (so the docs cannot drift from compiled code).
python3 - "$src" <<'PY' || fail "docs/API.md and examples/ disagree"
import pathlib, re, sys
src = pathlib.Path(sys.argv[1])
blocks = re.findall(r"```cpp\n(.*?)```", (src / "docs/API.md").read_text(), re.S)
assert blocks, "no cpp blocks"
for block in blocks:
    first, *lines = block.strip("\n").split("\n")
    name = re.fullmatch(r"// (examples/\w+\.cpp)", first.strip())
    assert name, f"block does not name its example: {first}"
    have = {l.strip() for l in (src / name[1]).read_text().split("\n")}
    for l in lines:
        if l.strip() and l.strip() not in have:
            sys.exit(f"{name[1]} has no line '{l.strip()}'")
print(f"docs/API.md: {len(blocks)} excerpts found in examples/")
PY

cmake --install "$build" --prefix "$work/staged" >/dev/null
mv "$work/staged" "$work/prefix"  # a moved prefix must still work
prefix=$work/prefix
lib=$prefix/lib
[ -d "$lib" ] || fail "no lib/ under the prefix"

# Relocatable: no text file names the trees it came from; no run path points into them.
if grep -rIl -e "$build" -e "$src" -e "$work/staged" "$prefix"; then fail "installed files above name the build or source tree"; fi
for f in "$prefix/bin/attnscope" "$lib/libattnscope.so.0"; do
  [ -e "$f" ] || fail "missing $f"
  if readelf -d "$f" | grep -E "RPATH|RUNPATH" | grep -e "$build" -e "$src"; then fail "$f has a run path into the build tree"; fi
done
readelf -d "$lib/libattnscope.so.0" | grep -q "SONAME.*\[libattnscope.so.0\]" || fail "SONAME is not libattnscope.so.0"
# Exports: the attnscope namespace only (and what names its types).
others=$(nm -D --defined-only "$lib/libattnscope.so.0" | c++filt | grep -v "attnscope::" || true)
[ -z "$others" ] || fail "libattnscope exports symbols outside attnscope::, e.g. $(echo "$others" | head -3)"

# Public headers include only installed headers; the internal ones are not installed.
inc=$prefix/include
[ -f "$inc/attnscope/core/version.h" ] || fail "attnscope/core/version.h is not installed"
[ ! -e "$inc/attnscope/cli" ] || fail "cli/ headers are internal but installed"
[ -z "$(find "$inc" -path '*/simd/*' -o -name '*_simd.h' -o -name '*_tile.h')" ] || fail "per-ISA kernel headers installed"
missing=$(cd "$inc" && grep -o '#include "attnscope/[^"]*"' -r . --include='*.h' | sed 's|^\./\(.*\):#include "\(.*\)"|\1 \2|' |
  while read -r h dep; do [ -f "$dep" ] || echo "$h includes $dep"; done)
[ -z "$missing" ] || fail "public headers include headers that are not installed: $missing"

# examples/ against the installed package only.
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
cmake -S "$src/examples" -B "$work/examples" "${generator[@]}" "${launcher[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" > "$work/configure.log" 2>&1 || { cat "$work/configure.log" >&2; fail "examples: configure failed"; }
cmake --build "$work/examples" -j2 > "$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "examples: build failed"; }
if grep -rl -e "$build" "$work/examples/CMakeCache.txt" "$work/examples/build.ninja" 2>/dev/null; then
  fail "the examples' build names the build tree"
fi

bin=$work/examples
run=$work/run
mkdir -p "$run"
cd "$run"
"$bin/train_dates" dates.ckpt.safetensors 300 > train.out
expect train.out '^trained 300 steps: loss [0-9.]+ -> [0-9.]+$'
# The loss must have fallen (a trained checkpoint, not a fresh one).
awk '/^trained/ { exit !($7 < $5 / 2) }' train.out || fail "train_dates: loss did not halve: $(cat train.out)"
"$bin/trace_model" dates.ckpt.safetensors "3 avril 1999" dates.attn.safetensors topk:3 > trace.out
expect trace.out '^trained model, 1 attention layers traced$'
expect trace.out '^output: [0-9]{4}-[0-9]{2}-[0-9]{2}$'
expect trace.out '^layer decoder.cross: [0-9]+ x [0-9]+, capture topk:3$'
"$bin/capture_gpt2" gpt2.attn.safetensors gpt2-model > capture.out
expect capture.out '^recorded 8 calls$'  # 2 layers x (prompt + 3 steps)
expect capture.out '^layer h.1.attn: 4 heads, 9 x 9$'
"$bin/analyze_trace" gpt2.attn.safetensors > analyze.out
[ "$(grep -c '^h\.[01]\.attn head [0-3]: [a-z+-]' analyze.out)" = 8 ] || { cat analyze.out; fail "analyze_trace: not 8 head roles"; }
expect analyze.out "^rollout over 2 layers of 'tokens': the last token draws most on 't[0-9]+' \(0\.[0-9]+\)$"
"$bin/analyze_trace" dates.attn.safetensors > analyze_dates.out
expect analyze_dates.out '^decoder.cross head 0: '
"$bin/render_trace" gpt2.attn.safetensors gpt2 > render.out
expect render.out '^wrote gpt2_heatmap.png \([0-9]+ x [0-9]+ px\)$'
expect render.out '^wrote gpt2_model.svg \(2 layers x 4 heads\)$'
[ "$(head -c 8 gpt2_heatmap.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "render_trace: not a PNG"
grep -q '<svg' gpt2_model.svg || fail "render_trace: not an SVG"

# The viewer, served from the example program while it runs.
"$bin/serve_trace" gpt2.attn.safetensors 60 > serve.out 2>&1 &
server=$!
url=
for _ in $(seq 100); do
  url=$(sed -n 's|^attnscope viewer: \(http://[^ ]*\)/$|\1|p' serve.out)
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
fetch() { python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' "$1"; }
status=0
{ [ -n "$url" ] && fetch "$url/api/meta" > meta.json && fetch "$url/" > index.html; } || status=1
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
[ $status = 0 ] || { cat serve.out >&2; fail "serve_trace: the viewer did not answer"; }
grep -q '"name":"h.1.attn"' meta.json || fail "serve_trace: /api/meta lacks layer h.1.attn"
grep -qi '<!doctype html>' index.html || fail "serve_trace: / is not the page"

# pkg-config: a one-file program, nothing but the .pc file's flags (and a run path).
export PKG_CONFIG_PATH=$lib/pkgconfig
[ "$(pkg-config --modversion attnscope)" = "$(sed -n 's/^inline constexpr const char\* kVersion = "\(.*\)";/\1/p' "$inc/attnscope/core/version.h")" ] \
  || fail "attnscope.pc's version differs from version.h"
# shellcheck disable=SC2046  # pkg-config output is meant to be split
c++ -std=c++20 -O1 "$src/tests/install/pkgconfig_main.cpp" -o pc_main $(pkg-config --cflags --libs attnscope) \
  -Wl,-rpath,"$lib" || fail "pkg-config build failed"
./pc_main hand.attn.safetensors > pc.out
expect pc.out '^attnscope [0-9]+\.[0-9]+\.[0-9]+ \(headers [0-9]+\.[0-9]+\.[0-9]+\): attn 2x2 w\[1\]\[1\]=0.75$'

# The installed CLI reads the library's traces and takes the installed viewer files as its page.
"$prefix/bin/attnscope" --version > version.out
expect version.out "^attnscope $(pkg-config --modversion attnscope)$"
"$prefix/bin/attnscope" export hand.attn.safetensors --html --web-root "$prefix/share/attnscope/web" -o viewer.html 2> export.err \
  || { cat export.err >&2; fail "attnscope export with the installed web root failed"; }
grep -qi '<!doctype html>' viewer.html || fail "export: not an HTML page"
echo "install_test: OK (prefix moved, 6 examples and a pkg-config program built and run)"
