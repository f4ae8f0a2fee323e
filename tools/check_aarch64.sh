#!/usr/bin/env bash
# Compiles the core library (util, formats, entropy, codecs, container: everything but the
# x86-64 kernels, which aarch64 builds leave out) for aarch64 with Debian's cross compiler, to
# object files only: checks that the code builds for a non-x86 target. Needs
# g++-aarch64-linux-gnu (tools/install-deps.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
CXX="${CXX_AARCH64:-aarch64-linux-gnu-g++}"
JOBS="${JOBS:-$(nproc)}"
command -v "$CXX" >/dev/null || { echo "check_aarch64: $CXX not found" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
find src/util src/formats src/entropy src/codecs src/container -name '*.cpp' ! -name '*_avx512.cpp' |
  sort | xargs -P "$JOBS" -I{} sh -c \
    "$CXX -std=c++20 -O1 -Wall -Wextra -Iinclude -Isrc -c {} -o $out/\$(echo {} | tr / _).o ||
     exit 255"
echo "aarch64: $(ls "$out" | wc -l) object files compiled"
