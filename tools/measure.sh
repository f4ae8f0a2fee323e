#!/usr/bin/env bash
# The full measurement protocol on a corpus (default ../shared/corpus), as the README's Results
# section was produced:  tools/measure.sh [CORPUS] [OUT] [THREADS]
# Writes OUT/atlas.jsonl, OUT/results.jsonl.zst, OUT/crosslayer.jsonl, OUT/summary*.md, OUT/figures/*.svg
# and prints how long each step took.
set -euo pipefail
corpus=${1:-../shared/corpus}
out=${2:-out/measure}
threads=${3:-$(nproc)}
lcl=${LCL:-./build/lcl}
mkdir -p "$out"
step() { local name=$1; shift; local t0=$(date +%s.%N); "$@"; printf '%-12s %7.1f s\n' "$name" "$(echo "$(date +%s.%N) - $t0" | bc)" >&2; }
t_start=$(date +%s.%N)
step atlas "$lcl" atlas "$corpus"/*/ --jsonl "$out/atlas.jsonl" --quiet
step bench "$lcl" bench --corpus "$corpus" --out "$out/results.jsonl.zst" --threads "$threads" --resume
: > "$out/crosslayer.jsonl"
# Cross-layer study on each distinct BF16 model (the GGUF copies hold the same weights).
for model in "$corpus"/*/; do
  case "$(basename "$model")" in *-gguf) continue ;; esac
  step "crosslayer $(basename "$model")" "$lcl" crosslayer "$model" --jsonl "$out/crosslayer-$(basename "$model").jsonl" > "$out/crosslayer-$(basename "$model").txt"
  cat "$out/crosslayer-$(basename "$model").jsonl" >> "$out/crosslayer.jsonl"
done
step summarize sh -c "'$lcl' summarize '$out/results.jsonl.zst' --bootstrap 1000 --seed 42 > '$out/summary.md' &&
  '$lcl' summarize '$out/results.jsonl.zst' --bootstrap 1000 --seed 42 --by model > '$out/summary-by-model.md' &&
  '$lcl' summarize '$out/results.jsonl.zst' --bootstrap 1000 --seed 42 --by role > '$out/summary-by-role.md'"
step figures "$lcl" figures "$out/results.jsonl.zst" --atlas "$out/atlas.jsonl" --crosslayer "$out/crosslayer.jsonl" --out "$out/figures"
printf 'total        %7.1f s\n' "$(echo "$(date +%s.%N) - $t_start" | bc)" >&2
