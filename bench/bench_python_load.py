#!/usr/bin/env python3
"""Loading bytellama-25m into torch from its four .lcl shards (lcl.load_file) against loading the
four original safetensors files with a plain reader (read the file, view each tensor in torch),
with the page cache warm, on one thread and on all threads; next to the float codec's in-process
decode time for the same tensors (bench_float) and `lcl decompress` of the same shards to tmpfs;
and get_tensor of the largest single tensor against load_file. Cases alternate, round after
round; medians are printed, ratios are within one run.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/bench_python_load.py \
        --corpus ../shared/corpus --build build/release [--rounds 7]
"""

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import struct
import subprocess
import tempfile
import time

import numpy as np
import torch

import lcl


def plain_load(paths):
    """The reference loader: read each safetensors file whole, view its tensors in torch."""
    out = {}
    for path in paths:
        with open(path, "rb") as f:
            data = bytearray(f.read())
        (n,) = struct.unpack_from("<Q", data, 0)
        header = json.loads(data[8:8 + n])
        header.pop("__metadata__", None)
        base = 8 + n
        whole = torch.frombuffer(data, dtype=torch.uint8)
        for name, e in header.items():
            begin, end = e["data_offsets"]
            assert e["dtype"] == "BF16"
            out[name] = whole[base + begin:base + end].view(torch.bfloat16).reshape(e["shape"])
    return out


def cpu_seconds():
    """CPU time of this process and of its finished children (the lcl command)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(fn):
    """(wall seconds, CPU seconds, result) of fn()."""
    start, start_cpu = time.perf_counter(), cpu_seconds()
    result = fn()
    return time.perf_counter() - start, cpu_seconds() - start_cpu, result


def bench_float_decode_seconds(binary, megabytes):
    """bench_float's in-process float-codec decode of bytellama-25m's float chunks on one thread:
    seconds for `megabytes` MB at its measured rate."""
    listing = subprocess.run([binary, "--no_report", "--benchmark_list_tests"], check=True,
                             capture_output=True, text=True).stdout.split()
    name = next(n for n in listing
                if re.match(r"decode/[^/]*float[^/]*/bytellama-25m/.*threads:1$", n))
    result = subprocess.run([binary, "--no_report", f"--benchmark_filter=^{name}$",
                             "--benchmark_format=json", "--benchmark_min_time=0.5"],
                            check=True, capture_output=True, text=True).stdout
    bench = json.loads(result[result.index("{"):])["benchmarks"][0]
    rate = bench["bytes_per_second"]  # of real time
    cpu_rate = rate * bench["real_time"] / bench["cpu_time"]
    return name, rate, megabytes * 1e6 / rate, megabytes * 1e6 / cpu_rate


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                        "shared", "corpus"))
    parser.add_argument("--build", default="build/release")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    folder = os.path.join(args.corpus, "bytellama-25m")
    shards = sorted(os.path.join(folder, f) for f in os.listdir(folder)
                    if f.startswith("model-") and f.endswith(".safetensors"))
    cli = os.path.join(args.build, "lcl")
    work = tempfile.mkdtemp(prefix="lcl-bench-", dir="/dev/shm")
    try:
        packed = os.path.join(work, "packed")
        os.mkdir(packed)
        for shard in shards:
            lcl.compress_file(shard, os.path.join(packed, os.path.basename(shard) + ".lcl"))
        shutil.copy(os.path.join(folder, "model.safetensors.index.json"), packed)
        archives = sorted(os.path.join(packed, f) for f in os.listdir(packed) if f.endswith(".lcl"))
        for path in shards + archives:  # page cache warm
            with open(path, "rb") as f:
                f.read()

        reference = plain_load(shards)
        check = lcl.load_file(packed, framework="pt", threads=0)
        assert all(torch.equal(check[n].view(torch.int16), reference[n].view(torch.int16))
                   for n in reference), "load_file differs from the originals"
        total_bytes = sum(t.numel() * t.element_size() for t in reference.values())
        largest = max(reference, key=lambda n: reference[n].numel())
        largest_archive = next(a for a in archives
                               if largest in lcl.safe_open(a, framework="pt").keys())
        out_dir = os.path.join(work, "out")

        def lcl_decompress(threads):
            shutil.rmtree(out_dir, ignore_errors=True)
            os.mkdir(out_dir)
            subprocess.run([cli, "decompress", "-q", "-T", str(threads), "-o", out_dir] + archives,
                           check=True)

        def get_tensor():
            with lcl.safe_open(largest_archive, framework="pt") as f:
                return f.get_tensor(largest)

        # An open handle keeps the chunks a read shared with other tensors, so the tensor is read
        # once per handle: each round opens a fresh handle before the timed reads. Tensors of
        # 1 MiB or more have chunks of their own, so the read decodes no other tensor.
        handles = {}

        def open_handles():
            handles["open"] = lcl.safe_open(largest_archive, framework="pt")

        cases = {
            "load_file, 1 thread": lambda: lcl.load_file(packed, framework="pt", threads=1),
            "load_file, all threads": lambda: lcl.load_file(packed, framework="pt", threads=0),
            "plain safetensors reader": lambda: plain_load(shards),
            "lcl decompress -T 1 to tmpfs": lambda: lcl_decompress(1),
            f"lcl decompress -T {os.cpu_count()} to tmpfs": lambda: lcl_decompress(os.cpu_count()),
            "get_tensor (open + one tensor)": get_tensor,
            "get_tensor (on an open file)": lambda: handles["open"].get_tensor(largest),
        }
        binary = os.path.join(args.build, "bench", "bench_float")
        float_runs = []
        if os.path.exists(binary):  # before and after the rounds: the machine's speed drifts
            float_runs.append(bench_float_decode_seconds(binary, total_bytes / 1e6))
        times = {name: [] for name in cases}
        cpu = {name: [] for name in cases}
        for _ in range(args.rounds):
            open_handles()
            for name, fn in cases.items():
                seconds, cpu_used, result = timed(fn)
                del result
                times[name].append(seconds)
                cpu[name].append(cpu_used)
        medians = {name: statistics.median(t) for name, t in times.items()}
        cpu_medians = {name: statistics.median(t) for name, t in cpu.items()}

        print(f"bytellama-25m: {len(reference)} tensors, {total_bytes / 1e6:.1f} MB of bf16 in "
              f"{len(shards)} shards; archives {sum(os.path.getsize(a) for a in archives) / 1e6:.1f} MB; "
              f"{os.cpu_count()} cores; median of {args.rounds} alternating rounds")
        print(f"  {'case':34s} {'wall':>8s}     {'GB/s':>6s}  {'CPU':>8s}")
        for name, seconds in medians.items():
            print(f"  {name:34s} {seconds * 1e3:8.1f} ms  {total_bytes / seconds / 1e9:6.2f}  "
                  f"{cpu_medians[name] * 1e3:8.1f} ms")
        print(f"  get_tensor: {largest} ({reference[largest].numel() * 2 / 2**20:.2f} MiB)")
        one = medians["load_file, 1 thread"]
        share = reference[largest].numel() * reference[largest].element_size() / total_bytes
        print(f"  {largest}: {share:.3f} of the checkpoint's tensor bytes")
        for case in ("get_tensor (open + one tensor)", "get_tensor (on an open file)"):
            print(f"  {case} / load_file(1 thread): {medians[case] / one:.3f} (wall), "
                  f"{cpu_medians[case] / cpu_medians['load_file, 1 thread']:.3f} (CPU)")
        print(f"  load_file(1 thread) / lcl decompress -T 1: {one / medians['lcl decompress -T 1 to tmpfs']:.2f}"
              f" (wall), {cpu_medians['load_file, 1 thread'] / cpu_medians['lcl decompress -T 1 to tmpfs']:.2f} (CPU)")
        if float_runs:
            float_runs.append(bench_float_decode_seconds(binary, total_bytes / 1e6))
            name, rate, seconds, cpu_s = min(float_runs, key=lambda run: run[2])  # the faster run
            print(f"  bench_float {name}: {', '.join(f'{r[1] / 1e9:.2f}' for r in float_runs)} GB/s "
                  f"(before, after the rounds) -> {seconds * 1e3:.1f} ms wall, {cpu_s * 1e3:.1f} ms CPU "
                  f"for {total_bytes / 1e6:.1f} MB")
            print(f"  load_file(1 thread) / bench_float decode (faster run): {one / seconds:.2f} (wall), "
                  f"{cpu_medians['load_file, 1 thread'] / cpu_s:.2f} (CPU)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
