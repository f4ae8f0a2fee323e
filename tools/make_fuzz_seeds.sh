#!/usr/bin/env bash
# Regenerates the fuzz seeds that tools/make_fuzz_seeds.cpp writes (fuzz/seeds/<target>/<name>)
# from the committed test files: small model files, archives of them and codec payloads, written
# with the library's encoders. Seeds it does not write (payloads of older format versions, kept
# to reach the decoders' version paths) are left as they are.
# Usage: tools/make_fuzz_seeds.sh [BUILD_DIR]   (default build/release, configured already)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
cmake --build "$build" --target make_fuzz_seeds
"$build/make_fuzz_seeds" . fuzz/seeds
