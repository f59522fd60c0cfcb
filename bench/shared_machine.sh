#!/usr/bin/env bash
# Default threads on a shared machine: `eval translate --builtin dates` (a small model trained
# here first) alone and beside one busy process, with the default OpenMP wait policy (passive,
# set by attnscope itself) against spinning threads (OMP_WAIT_POLICY=active). Prints wall times
# and the slowdown the competing process causes. Usage: bench/shared_machine.sh [BUILD_DIR]
set -euo pipefail
build="$(cd "${1:-build}" && pwd)"
dir="$(mktemp -d)"
busy=""
cleanup() { [ -n "$busy" ] && kill "$busy" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
cd "$dir"
"$build/attnscope" train translate --builtin dates --steps 100 --hidden 64 -q -o d.ckpt >/dev/null
job() { /usr/bin/time -f %e env "$@" "$build/attnscope" eval translate --model d.ckpt --builtin dates --held-out 300 2>&1 >/dev/null | tail -1; }
declare -A t
for policy in passive active; do t[alone_$policy]=$(job OMP_WAIT_POLICY=$policy); done
sh -c 'while :; do :; done' & busy=$!
for policy in passive active; do t[busy_$policy]=$(job OMP_WAIT_POLICY=$policy); done
printf "%-28s %8s %8s\n" "OpenMP waiting" "alone s" "busy s"
printf "%-28s %8s %8s\n" "passive (attnscope default)" "${t[alone_passive]}" "${t[busy_passive]}"
printf "%-28s %8s %8s\n" "active (spinning)" "${t[alone_active]}" "${t[busy_active]}"
