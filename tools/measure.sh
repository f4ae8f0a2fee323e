#!/usr/bin/env bash
# The full measurement protocol on a corpus (default ../shared/corpus), as the README's measuring
# section was produced:  tools/measure.sh [CORPUS] [OUT] [THREADS]
# Writes OUT/atlas.jsonl, OUT/results.jsonl.zst, OUT/crosslayer.jsonl, OUT/summary*.md (the
# summary ends with the whole-file GGUF ablation), OUT/headline.md, OUT/figures/*.svg (and .png
# when rsvg-convert is installed), prints how long each step took, and ends with the headline
# table in the reference's layout. Trained methods use the profiles in profiles/ (PROFILES=DIR to
# change) for models they were not trained on. METHODS=a,b,... runs only those methods (on a busy
# machine the general compressors at their slowest settings, zstd -19 and xz -9 per tensor and per
# file, take most of the time). Exit status: 0, or 3 when a row failed its roundtrip (the
# summaries are written either way).
set -euo pipefail
corpus=${1:-../shared/corpus}
out=${2:-out/measure}
threads=${3:-$(nproc)}
lcl=${LCL:-./build/lcl}
profiles=${PROFILES:-$(dirname "$0")/../profiles}
mkdir -p "$out"
step() { local name=$1; shift; local t0=$(date +%s.%N); "$@"; printf '%-28s %7.1f s\n' "$name" "$(echo "$(date +%s.%N) - $t0" | bc)" >&2; }
t_start=$(date +%s.%N)
step atlas "$lcl" atlas "$corpus"/*/ --jsonl "$out/atlas.jsonl" --quiet
bench_rc=0
step bench "$lcl" bench --corpus "$corpus" --out "$out/results.jsonl.zst" --threads "$threads" \
  --resume --whole-file-ablation --profiles "$profiles" ${METHODS:+--methods "$METHODS"} || bench_rc=$?
: > "$out/crosslayer.jsonl"
# Cross-layer study on each folder that holds safetensors (the study reads BF16 tensors; GGUF
# copies of a model hold the same weights).
for model in "$corpus"/*/; do
  ls "$model"*.safetensors > /dev/null 2>&1 || continue
  name=$(basename "$model")
  step "crosslayer $name" "$lcl" crosslayer "$model" --jsonl "$out/crosslayer-$name.jsonl" > "$out/crosslayer-$name.txt"
  cat "$out/crosslayer-$name.jsonl" >> "$out/crosslayer.jsonl"
done
step summarize sh -c "'$lcl' summarize '$out/results.jsonl.zst' --bootstrap 1000 --seed 42 > '$out/summary.md' &&
  '$lcl' summarize '$out/results.jsonl.zst' --bootstrap 1000 --seed 42 --by model > '$out/summary-by-model.md' &&
  '$lcl' summarize '$out/results.jsonl.zst' --bootstrap 1000 --seed 42 --by role > '$out/summary-by-role.md' &&
  '$lcl' summarize '$out/results.jsonl.zst' --headline --atlas '$out/atlas.jsonl' > '$out/headline.md'"
step figures "$lcl" figures "$out/results.jsonl.zst" --atlas "$out/atlas.jsonl" --crosslayer "$out/crosslayer.jsonl" --out "$out/figures" > /dev/null
printf '%-28s %7.1f s\n' total "$(echo "$(date +%s.%N) - $t_start" | bc)" >&2
echo
echo "Headline ($corpus; ratios: geometric mean over tensors or files / byte-weighted):"
echo
cat "$out/headline.md"
exit "$bench_rc"
