#!/usr/bin/env bash
# Compiles the core library (util, formats, entropy, codecs, container, capi: everything but the
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
# lcl/version.h as CMake's configure_file writes it, from the project version in CMakeLists.txt.
version=$(sed -n 's/^project(llm_compression_limits VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
mkdir -p "$out/include/lcl"
IFS=. read -r major minor patch <<<"$version"
sed -e "s/@PROJECT_VERSION_MAJOR@/$major/" -e "s/@PROJECT_VERSION_MINOR@/$minor/" \
  -e "s/@PROJECT_VERSION_PATCH@/$patch/" -e "s/@PROJECT_VERSION@/$version/" \
  include/lcl/version.h.in >"$out/include/lcl/version.h"
find src/util src/formats src/entropy src/codecs src/container src/capi -name '*.cpp' ! -name '*_avx512.cpp' |
  sort | xargs -P "$JOBS" -I{} sh -c \
    "$CXX -std=c++20 -O1 -Wall -Wextra -Iinclude -I$out/include -Isrc -c {} \
       -o $out/\$(echo {} | tr / _).o || exit 255"
echo "aarch64: $(ls "$out" | wc -l) object files compiled"
