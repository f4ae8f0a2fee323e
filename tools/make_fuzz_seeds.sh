#!/usr/bin/env bash
# Regenerates the committed fuzz seeds (fuzz/seeds/<target>/) from the committed test files:
# small model files, archives of them and codec payloads, written with the library's encoders.
# Usage: tools/make_fuzz_seeds.sh [BUILD_DIR]   (default build/release, configured already)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
cmake --build "$build" --target make_fuzz_seeds
for target in fuzz_container fuzz_float fuzz_gguf fuzz_quant_codecs fuzz_rans fuzz_safetensors; do
  rm -rf "fuzz/seeds/$target"
done
"$build/make_fuzz_seeds" . fuzz/seeds
