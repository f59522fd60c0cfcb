#!/usr/bin/env bash
# Installs the Debian 12 packages attnscope needs, only when one is missing: quick and silent
# when all are present. Usage: scripts/deps.sh [build|test|bench|mpi]  (test adds browser-test packages,
# mpi the MPI implementation of the -DATTNSCOPE_MPI=ON build).
set -euo pipefail
build_pkgs=(build-essential cmake ninja-build pkg-config ccache
  libopenblas-openmp-dev libfmt-dev nlohmann-json3-dev libcli11-dev libcpp-httplib-dev
  libcairo2-dev libpango1.0-dev libgif-dev libpng-dev libjpeg-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev fonts-dejavu-core fonts-wqy-microhei
  pybind11-dev python3-dev)  # the two last: the optional Python module (python/)
test_pkgs=(chromium nodejs npm python3-numpy python3-networkx python3-torch ffmpeg)  # ffmpeg: the MP4 tests
bench_pkgs=(python3-torch)  # optional: the PyTorch comparison of bench/models_gpt2.sh
mpi_pkgs=(mpich libmpich-dev)  # optional: `make test-mpi` (docs/DISTRIBUTED.md)
pkgs=("${build_pkgs[@]}")
[ "${1:-build}" = test ] && pkgs+=("${test_pkgs[@]}")
[ "${1:-build}" = bench ] && pkgs+=("${bench_pkgs[@]}")
[ "${1:-build}" = mpi ] && pkgs+=("${mpi_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  # nodejs may come from another repository (with npm inside it): any node/npm on PATH will do.
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
