#!/usr/bin/env bash
# Peak memory of compress and decompress on a 2 GiB model file at -T 2 (memory must be a
# function of threads x chunk size, not of the file size). Builds a 2 GiB bf16 safetensors file
# by repeating the real weights of the bundled sample, then runs /usr/bin/time -v.
# Usage: tools/measure_memory.sh [path/to/lcl] [workdir]
set -euo pipefail
cd "$(dirname "$0")/.."
lcl="${1:-build/release/lcl}"
work="${2:-$(mktemp -d)}"
mkdir -p "$work"
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }
sample=samples/use-lite-sample-bf16.safetensors
header_len=$(od -An -t u8 -N 8 "$sample" | tr -d ' ')
data="$work/weights.bin"
: >"$data"
# The sample's tensor data (bf16 weights), repeated to just over 2 GiB.
tail -c +$((9 + header_len)) "$sample" >"$work/block.bin"
block=$(stat -c %s "$work/block.bin")
target=$((2 * 1024 * 1024 * 1024))
copies=$(((target + block - 1) / block))
for _ in $(seq "$copies"); do cat "$work/block.bin"; done >"$data"
elements=$(($(stat -c %s "$data") / 2))
json="{\"weights\":{\"dtype\":\"BF16\",\"shape\":[$elements],\"data_offsets\":[0,$((elements * 2))]}}"
while [ $(((${#json}) % 8)) -ne 0 ]; do json="$json "; done
big="$work/big-bf16.safetensors"
{
  len=${#json}
  printf "$(printf '\\x%02x' $((len & 255)) $(((len >> 8) & 255)) \
    $(((len >> 16) & 255)) $(((len >> 24) & 255)) 0 0 0 0)"
  printf '%s' "$json"
  cat "$data"
} >"$big"
rm -f "$data" "$work/block.bin"
echo "input: $big ($(stat -c %s "$big") bytes)"
/usr/bin/time -v "$lcl" compress -f -T 2 "$big" -o "$big.lcl" 2>"$work/compress.time"
grep -E "Maximum resident|Elapsed" "$work/compress.time"
/usr/bin/time -v "$lcl" decompress -f -T 2 "$big.lcl" -o "$big.out" 2>"$work/decompress.time"
grep -E "Maximum resident|Elapsed" "$work/decompress.time"
cmp "$big" "$big.out" && echo "roundtrip byte-identical"
rm -f "$big" "$big.lcl" "$big.out"
