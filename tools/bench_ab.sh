#!/usr/bin/env bash
# Codec speed, old build against new, for a shared (loaded) machine: runs two builds of a Google
# Benchmark program (bench_float, bench_quant) alternately ROUNDS times and prints, per case, the
# best wall-clock speed and the best speed by CPU time (bytes / process CPU time), both in MB/s
# (10^6 bytes). FILTER is a --benchmark_filter (default: the float codec on two models).
#   tools/bench_ab.sh OLD_BENCH NEW_BENCH [ROUNDS=3] [FILTER]
set -euo pipefail
old=$1 new=$2 rounds=${3:-3} filter=${4:-'lcl-float/(bytellama-25m|use-lite)'}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for r in $(seq 1 "$rounds"); do
  for who in old new; do
    bin=$old
    [ "$who" = new ] && bin=$new
    # bench_float prints a size report first unless told not to; bench_quant has no such flag.
    extra=()
    case "$(basename "$bin")" in bench_float*) extra=(--no_report) ;; esac
    "$bin" "${extra[@]}" --benchmark_min_time=0.5 \
      --benchmark_filter="$filter" --benchmark_format=json \
      >"$out/$who.$r.json" 2>/dev/null
  done
done
python3 - "$out" <<'PY'
import collections, glob, json, os, sys
best = collections.defaultdict(lambda: {"wall": 0.0, "cpu": 0.0})
for path in glob.glob(os.path.join(sys.argv[1], "*.json")):
    who = os.path.basename(path).split(".")[0]
    for b in json.load(open(path))["benchmarks"]:
        name = b["name"].replace("/real_time", "")
        wall = b["bytes_per_second"] / 1e6
        bytes_per_iteration = b["bytes_per_second"] * b["real_time"] / 1e3  # times are in ms
        cpu = bytes_per_iteration / (b["cpu_time"] / 1e3) / 1e6
        r = best[(name, who)]
        r["wall"], r["cpu"] = max(r["wall"], wall), max(r["cpu"], cpu)
for (name, who), r in sorted(best.items()):
    print(f"{name:56s} {who:3s} wall {r['wall']:6.0f} MB/s  cpu {r['cpu']:6.0f} MB/s")
PY
