#!/usr/bin/env bash
# Whole commands, file to file, lcl against zstd, alternated in one run, as a markdown table of the
# speed targets: on each bytellama-25m shard and on bytellama-25m-Q4_K_M.gguf, `lcl compress -T 1`
# against `zstd -3` and `lcl decompress -T 1` against `zstd -d` of zstd -3's output (target 0.60x
# each); on a ~509 MB bf16 safetensors file (tools/make_bench_bf16.py: the shards' bf16 tensors
# repeated under new names, a valid safetensors file) compress against zstd -3 (0.40x) and
# decompress against zstd -d (0.50x); and `-T 2` against `-T 1` on that file (0.56x). Inputs are
# copied to, and outputs written on, tmpfs (/dev/shm), so the disk is out of the measurement. Each
# command runs ROUNDS times, the commands alternating; each row has the best wall time and the best
# CPU time (user + system of all threads, from wait4) in ms and both ratios (lower is better: 0.60
# means lcl takes 60% of the reference's time). The load average is printed before and after: on a
# loaded machine only the CPU ratio means much, and -T 2 cannot gain wall time without an idle
# core. Given BASE_LCL (an older build), its rows are measured in the same rounds, for
# before/after. Every output is compared with the original byte for byte.
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

def ms(x): return f"{x * 1000:.1f}"
def ratio(a, b): return f"{a / b:.2f}"

def row(name, size, what, mine, ref, target, cpu_target=True):
    """One table row: mine against ref (each [wall, cpu] seconds) and whether the target holds.
    A -T 2 target is one of wall time only: its CPU ratio (1.00 = the second thread adds no work)
    is shown but not held to it."""
    rw, rc = mine[0] / ref[0], mine[1] / ref[1]
    met = f"{'yes' if rw <= target else 'no'} / {('yes' if rc <= target else 'no') if cpu_target else '-'}"
    print(f"| {name} | {size} | {what} | {ms(mine[0])} | {ms(mine[1])} | {ms(ref[0])} | {ms(ref[1])} "
          f"| {ratio(mine[0], ref[0])} | {ratio(mine[1], ref[1])} | {target:.2f} | {met} |")

def load(): return " ".join(open("/proc/loadavg").read().split()[:3])

o = os.path.join(work, "out")
tools = {"lcl": lcl}
if base:
    tools["base"] = base
print(f"load average before: {load()}; {os.cpu_count()} cores; best of {rounds} rounds, alternating\n")
print("| file | MB | command (against) | wall ms | cpu ms | ref wall ms | ref cpu ms | wall ratio "
      "| cpu ratio | target | met (wall / cpu) |")
print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
big = files[-1]
for f in files:
    size = f"{os.path.getsize(f) / 1e6:.1f}"
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
    targets = (0.40, 0.50) if f == big else (0.60, 0.60)
    for k in tools:
        tag = "" if k == "lcl" else f" ({k})"
        row(name, size, f"compress -T 1{tag} (zstd -3)", c[k], c["zstd"], targets[0])
        row(name, size, f"decompress -T 1{tag} (zstd -d)", d[k], d["zstd"], targets[1])
    for p in glob.glob(o + "*"):
        os.remove(p)

size = f"{os.path.getsize(big) / 1e6:.1f}"
name = os.path.basename(big)
for k, b in tools.items():
    c = best({t: [b, "compress", "-T", t, "-q", "-f", big, "-o", f"{o}.{k}.lcl"] for t in ("1", "2")})
    d = best({t: [b, "decompress", "-T", t, "-q", "-f", f"{o}.{k}.lcl", "-o", f"{o}.out"] for t in ("1", "2")})
    if not filecmp.cmp(big, f"{o}.out", shallow=False):
        sys.exit("decoded output differs")
    tag = "" if k == "lcl" else f" ({k})"
    row(name, size, f"compress -T 2{tag} (-T 1)", c["2"], c["1"], 0.56, cpu_target=False)
    row(name, size, f"decompress -T 2{tag} (-T 1)", d["2"], d["1"], 0.56, cpu_target=False)
print(f"\nload average after: {load()}")
PY
