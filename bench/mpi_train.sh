#!/usr/bin/env bash
# Data-parallel training on one machine: the dates translator for STEPS steps (global batch 64,
# dropout 0) as 2 MPI ranks x 1 thread and as 1 process x 2 threads, measured side by side in one
# run (alternating, best of REPEATS each), and the ratios. "loop" is the training loop as the run
# reports it ("trained N steps in S s"); "process" adds start-up (vocabularies, model) and the
# final evaluation, which rank 0 does alone on its 1 thread. Needs the MPI build (make test-mpi).
#   bench/mpi_train.sh [BUILD_DIR=build-mpi] [STEPS=200] [REPEATS=2]
set -euo pipefail
build="${1:-build-mpi}"
steps="${2:-200}"
repeats="${3:-2}"
bin="$build/attnscope"
[[ -x "$bin" ]] || { echo "bench/mpi_train.sh: $bin not built (make test-mpi)" >&2; exit 1; }
command -v mpiexec >/dev/null || { echo "bench/mpi_train.sh: mpiexec not found (scripts/deps.sh mpi)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
args=(train translate --builtin dates --steps "$steps" --dropout 0 -q)
export OMP_WAIT_POLICY=passive OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
unset ATTNSCOPE_THREADS

# Prints "LOOP PROCESS" seconds of one run of "$@".
measure() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$tmp/out.txt" 2>&1 || { cat "$tmp/out.txt" >&2; exit 1; }
  t1=$(date +%s.%N)
  awk -v t0="$t0" -v t1="$t1" '/^trained [0-9]+ steps in/ { loop = $5 } END { printf "%s %.3f\n", loop, t1 - t0 }' "$tmp/out.txt"
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
tl= tp= rl= rp=
for ((i = 0; i < repeats; i++)); do
  read -r l p < <(measure "$bin" "${args[@]}" --threads 2 -o "$tmp/threads.ckpt")
  tl=$(min "$tl" "$l") tp=$(min "$tp" "$p")
  read -r l p < <(measure mpiexec -n 2 "$bin" "${args[@]}" --threads 1 -o "$tmp/ranks.ckpt")
  rl=$(min "$rl" "$l") rp=$(min "$rp" "$p")
done
awk -v steps="$steps" -v n="$repeats" -v tl="$tl" -v tp="$tp" -v rl="$rl" -v rp="$rp" 'BEGIN {
  printf "dates translator, %d steps, global batch 64, best of %d (wall seconds):\n", steps, n
  printf "                          loop   process\n"
  printf "  1 process x 2 threads  %6.2f  %7.2f\n", tl, tp
  printf "  2 ranks   x 1 thread   %6.2f  %7.2f\n", rl, rp
  printf "ratio (2 ranks x 1 thread) / (1 process x 2 threads): loop %.2f, process %.2f\n", rl / tl, rp / tp
}'
