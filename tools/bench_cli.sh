#!/usr/bin/env bash
# Whole commands, file to file, lcl against zstd -3, alternated in one run: `lcl compress -T 1` vs
# `zstd -3` and `lcl decompress -T 1` vs `zstd -3 -d` on each bytellama-25m shard, on
# bytellama-25m-Q4_K_M.gguf and on a ~500 MB bf16 safetensors file made of the shards' tensors
# (tools/make_bench_bf16.py), plus `lcl -T 2` against `lcl -T 1` on the large file. Inputs are
# copied to, and outputs written on, tmpfs (/dev/shm), so the disk is out of the measurement. Each
# command runs ROUNDS times, the tools alternating; the table has each one's best wall time and
# best CPU time (user + system, from wait4) in ms, and lcl / zstd ratios of both (lower is better:
# 0.60 means lcl takes 60% of zstd's time). Given BASE_LCL (an older build), its times are measured
# in the same rounds, for before/after. Every output is compared with the original.
#   tools/bench_cli.sh [LCL=build/release/lcl] [ROUNDS=5] [CORPUS=../shared/corpus] [BASE_LCL]
set -euo pipefail
lcl=$(realpath "${1:-build/release/lcl}")
rounds=${2:-5}
corpus=${3:-../shared/corpus}
base=${4:+$(realpath "$4")}
tools=$(dirname "$(realpath "$0")")
work=$(mktemp -d /dev/shm/lcl-bench-cli.XXXXXX)
trap 'rm -rf "$work"' EXIT

inputs=("$corpus"/bytellama-25m/*.safetensors "$corpus/bytellama-25m-gguf/bytellama-25m-Q4_K_M.gguf")
for f in "${inputs[@]}"; do cp "$f" "$work/"; done
/usr/bin/python3 "$tools/make_bench_bf16.py" --size 500000000 "$work/bf16-500MB.safetensors" \
  "$corpus"/bytellama-25m/*.safetensors

/usr/bin/python3 - "$lcl" "$rounds" "$work" "${base:-}" <<'PY'
import filecmp, glob, os, subprocess, sys, time

lcl, rounds, work, base = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
files = sorted(glob.glob(os.path.join(work, "*.safetensors")) + glob.glob(os.path.join(work, "*.gguf")))
files = [f for f in files if "bf16-500MB" not in f] + [os.path.join(work, "bf16-500MB.safetensors")]

def run(cmd):
    """Wall and CPU (user + sys) seconds of one command."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime

def best(cmds):
    """Best wall and best CPU of each command over `rounds` alternating rounds."""
    out = {k: [1e9, 1e9] for k in cmds}
    for _ in range(rounds):
        for k, cmd in cmds.items():
            w, c = run(cmd)
            out[k] = [min(out[k][0], w), min(out[k][1], c)]
    return out

def ms(x): return f"{x * 1000:8.1f}"
def ratio(a, b): return f"{a / b:5.2f}"

o = os.path.join(work, "out")
tools = {"lcl": lcl}
if base:
    tools["base"] = base
hdr = f"{'file':34} {'MB':>6} | {'':10} {'wall ms':>8} {'cpu ms':>8} {'/zstd wall':>10} {'/zstd cpu':>9}"
print(hdr)
for f in files:
    size = os.path.getsize(f) / 1e6
    comp = {"zstd": ["zstd", "-3", "-q", "-f", f, "-o", o + ".zst"]}
    for k, b in tools.items():
        comp[k] = [b, "compress", "-T", "1", "-q", "-f", f, "-o", f"{o}.{k}.lcl"]
    c = best(comp)
    dec = {"zstd": ["zstd", "-d", "-q", "-f", o + ".zst", "-o", o + ".zst.out"]}
    for k, b in tools.items():
        dec[k] = [b, "decompress", "-T", "1", "-q", "-f", f"{o}.{k}.lcl", "-o", f"{o}.{k}.out"]
    d = best(dec)
    for k in ["zst"] + list(tools):
        if not filecmp.cmp(f, f"{o}.{k}.out", shallow=False):
            sys.exit(f"{k} output differs from {f}")
    name = os.path.basename(f)
    for op, t in (("compress", c), ("decompress", d)):
        z = t["zstd"]
        print(f"{name:34} {size:6.1f} | {op + ' zstd':10} {ms(z[0])} {ms(z[1])}")
        for k in tools:
            v = t[k]
            label = f"{op[:-4] if op == 'decompress' else op[:4]} {k}"
            print(f"{'':34} {'':6} | {label:10} {ms(v[0])} {ms(v[1])} {ratio(v[0], z[0]):>10} {ratio(v[1], z[1]):>9}")
    for p in glob.glob(o + "*"):
        os.remove(p)

big = files[-1]
print(f"\nbf16-500MB: -T 2 against -T 1 (wall, cpu ms; ratio of walls)")
for k, b in tools.items():
    c = best({t: [b, "compress", "-T", t, "-q", "-f", big, "-o", f"{o}.{k}.lcl"] for t in ("1", "2")})
    d = best({t: [b, "decompress", "-T", t, "-q", "-f", f"{o}.{k}.lcl", "-o", f"{o}.out"] for t in ("1", "2")})
    if not filecmp.cmp(big, f"{o}.out", shallow=False):
        sys.exit("decoded output differs")
    for op, t in (("compress", c), ("decompress", d)):
        print(f"  {k:5} {op:10} -T 1 {ms(t['1'][0])} {ms(t['1'][1])}  -T 2 {ms(t['2'][0])} {ms(t['2'][1])}"
              f"  -T2/-T1 wall {ratio(t['2'][0], t['1'][0])}")
load = open("/proc/loadavg").read().split()[:3]
print(f"(best of {rounds}, alternating; {os.cpu_count()} cores; load average {' '.join(load)})")
PY
