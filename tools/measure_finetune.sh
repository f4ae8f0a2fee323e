#!/bin/bash
# Whole-checkpoint ratios and CLI times of a fine-tune: alone, against its base, zstd -3 / -19.
# Every decoded file is compared with its original. Output goes to /dev/shm (CPU, not disk).
# Usage: tools/measure_finetune.sh [LCL] [FT_DIR] [BASE_DIR]
set -euo pipefail
L=${1:-build/release/lcl}
FT=${2:-../shared/corpus/bytellama-25m-ft-changelog}
B=${3:-../shared/corpus/bytellama-25m}
FILES=$(ls "$FT"/*.safetensors "$FT"/*.index.json 2>/dev/null)
W=$(mktemp -d /dev/shm/lcl-finetune-XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/alone" "$W/base" "$W/dec"
orig=$(cat $FILES | wc -c)
echo "original $orig bytes; load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in 1 2; do
  /usr/bin/time -f "round $round compress alone    -T1: wall %e s user %U s" "$L" compress -q -f -T 1 $FILES -o "$W/alone"
  /usr/bin/time -f "round $round compress --base   -T1: wall %e s user %U s" "$L" compress -q -f -T 1 $FILES --base "$B" -o "$W/base"
  /usr/bin/time -f "round $round decompress alone  -T1: wall %e s user %U s" "$L" decompress -q -f -T 1 "$W"/alone/*.lcl -o "$W/dec"
  /usr/bin/time -f "round $round decompress --base -T1: wall %e s user %U s" "$L" decompress -q -f -T 1 "$W"/base/*.lcl --base "$B" -o "$W/dec"
done
for f in $FILES; do cmp "$f" "$W/dec/$(basename "$f")"; done
echo "decoded files identical"
a=$(cat "$W"/alone/*.lcl | wc -c)
b=$(cat "$W"/base/*.lcl | wc -c)
z3=$(for f in $FILES; do zstd -q -3 -c "$f"; done | wc -c)
z19=$(for f in $FILES; do zstd -q -19 -c "$f"; done | wc -c)
/usr/bin/python3 -c "
o = $orig
for name, c in (('lcl --base', $b), ('lcl alone', $a), ('zstd -3', $z3), ('zstd -19', $z19)):
    print(f'{name:12s} {c:>12,d} bytes {o / c:.4f}x')"
for f in "$W"/base/*.safetensors.lcl; do
  o1=$(wc -c < "$FT/$(basename "$f" .lcl)"); c1=$(wc -c < "$f")
  /usr/bin/python3 -c "print(f'$(basename "$f" .lcl) --base: {$c1:,d} bytes {$o1 / $c1:.4f}x')"
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
