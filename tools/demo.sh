#!/usr/bin/env bash
# The README's main job: install, build, then compress the bundled sample models, verify them
# byte for byte, decompress them, and show per-tensor results.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$(nproc)" --target lcl_cli
lcl=build/release/lcl
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for model in samples/use-lite-sample-bf16.safetensors samples/use-lite-Q4_K_M.gguf; do
  name=$(basename "$model")
  echo "== $name"
  "$lcl" compress -v "$model" -o "$out/$name.lcl"
  "$lcl" verify "$out/$name.lcl" "$model"
  "$lcl" decompress -q "$out/$name.lcl" -o "$out/$name"
  cmp "$model" "$out/$name" && echo "decompressed copy is byte-identical"
  "$lcl" info "$out/$name.lcl" | sed -n '/^per type:/,$p'
done
