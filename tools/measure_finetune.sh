#!/bin/bash
# Whole-checkpoint ratios and CLI times of a fine-tune: alone, against its base, zstd -3 / -19.
# Every decoded file is compared with its original. Output goes to /dev/shm (CPU, not disk).
# The timed commands alternate, ROUNDS times: lcl with its x86-64 kernels (AVX2 delta coder,
# SHA-NI) and with LCL_FORCE_SCALAR=1 (the portable code), and zstd -3 of the same files; speeds
# are MB (10^6 bytes) of the fine-tune per CPU second (user + sys), since a shared machine's
# wall-clock times drift with its load (printed before and after).
# FT_DIR holds the fine-tune's safetensors shards and index.json, or its GGUF file(s) (e.g. the
# quantized pair of tools/quantize_gguf.py); BASE_DIR the base model's files of the same names.
# Usage: tools/measure_finetune.sh [LCL] [FT_DIR] [BASE_DIR] [ROUNDS]
set -euo pipefail
L=${1:-build/release/lcl}
FT=${2:-../shared/corpus/bytellama-25m-ft-changelog}
B=${3:-../shared/corpus/bytellama-25m}
ROUNDS=${4:-3}
FILES=$(ls "$FT"/*.safetensors "$FT"/*.index.json "$FT"/*.gguf 2>/dev/null || true)
W=$(mktemp -d /dev/shm/lcl-finetune-XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/alone" "$W/base" "$W/dec" "$W/zstd"
orig=$(cat $FILES | wc -c)
echo "original $orig bytes; load $(cut -d' ' -f1-3 /proc/loadavg)"
# run NAME COMMAND...: prints wall and CPU seconds and MB of the fine-tune per CPU second.
run() {
  local name=$1
  shift
  /usr/bin/time -f "%e %U %S" -o "$W/time" "$@"
  read -r wall user sys <"$W/time"
  /usr/bin/python3 -c "
cpu = $user + $sys
print(f'{\"$name\":34s} wall {$wall:6.2f} s  cpu {cpu:6.2f} s  {$orig / 1e6 / max(cpu, 1e-3):8.0f} MB/s')"
}
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round"
  for mode in kernels portable; do
    scalar=0
    [ "$mode" = portable ] && scalar=1
    run "lcl compress --base -T1 ($mode)" env LCL_FORCE_SCALAR=$scalar \
      "$L" compress -q -f -T 1 $FILES --base "$B" -o "$W/base"
    run "lcl decompress --base -T1 ($mode)" env LCL_FORCE_SCALAR=$scalar \
      "$L" decompress -q -f -T 1 "$W"/base/*.lcl --base "$B" -o "$W/dec/"
  done
  run "lcl compress alone -T1" "$L" compress -q -f -T 1 $FILES -o "$W/alone"
  run "lcl decompress alone -T1" "$L" decompress -q -f -T 1 "$W"/alone/*.lcl -o "$W/dec/"
  run "zstd -3 -T1" zstd -q -f -3 -T1 $FILES --output-dir-flat "$W/zstd"
  run "zstd -d -T1" zstd -q -f -d -T1 "$W"/zstd/*.zst --output-dir-flat "$W/dec"
done
for f in $FILES; do cmp "$f" "$W/dec/$(basename "$f")"; done
"$L" decompress -q -f -T 1 "$W"/base/*.lcl --base "$B" -o "$W/dec/"
for f in $FILES; do cmp "$f" "$W/dec/$(basename "$f")"; done
echo "decoded files identical"
a=$(cat "$W"/alone/*.lcl | wc -c)
b=$(cat "$W"/base/*.lcl | wc -c)
z3=$(cat "$W"/zstd/*.zst | wc -c)
z19=$(for f in $FILES; do zstd -q -19 -c "$f"; done | wc -c)
/usr/bin/python3 -c "
o = $orig
for name, c in (('lcl --base', $b), ('lcl alone', $a), ('zstd -3', $z3), ('zstd -19', $z19)):
    print(f'{name:12s} {c:>12,d} bytes {o / c:.4f}x')"
for f in "$W"/base/*.safetensors.lcl "$W"/base/*.gguf.lcl; do
  [ -f "$f" ] || continue
  o1=$(wc -c < "$FT/$(basename "$f" .lcl)"); c1=$(wc -c < "$f")
  /usr/bin/python3 -c "print(f'$(basename "$f" .lcl) --base: {$c1:,d} bytes {$o1 / $c1:.4f}x')"
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
