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


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def bench_float_decode_seconds(binary, megabytes):
    """bench_float's in-process float-codec decode of bytellama-25m's float chunks on one thread:
    seconds for `megabytes` MB at its measured rate."""
    listing = subprocess.run([binary, "--no_report", "--benchmark_list_tests"], check=True,
                             capture_output=True, text=True).stdout.split()
    name = next(n for n in listing
                if re.match(r"decode/[^/]*float[^/]*/bytellama-25m/.*threads:1$", n))
    result = subprocess.run([binary, "--no_report", f"--benchmark_filter=^{re.escape(name)}$",
                             "--benchmark_format=json", "--benchmark_min_time=0.5s"],
                            check=True, capture_output=True, text=True).stdout
    bench = json.loads(result[result.index("{"):])["benchmarks"][0]
    rate = bench["bytes_per_second"]
    return name, rate, megabytes * 1e6 / rate


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

        cases = {
            "load_file, 1 thread": lambda: lcl.load_file(packed, framework="pt", threads=1),
            "load_file, all threads": lambda: lcl.load_file(packed, framework="pt", threads=0),
            "plain safetensors reader": lambda: plain_load(shards),
            "lcl decompress -T 1 to tmpfs": lambda: lcl_decompress(1),
            f"lcl decompress -T {os.cpu_count()} to tmpfs": lambda: lcl_decompress(os.cpu_count()),
            "get_tensor (open + one tensor)": get_tensor,
        }
        times = {name: [] for name in cases}
        for _ in range(args.rounds):
            for name, fn in cases.items():
                seconds, result = timed(fn)
                del result
                times[name].append(seconds)
        medians = {name: statistics.median(t) for name, t in times.items()}

        print(f"bytellama-25m: {len(reference)} tensors, {total_bytes / 1e6:.1f} MB of bf16 in "
              f"{len(shards)} shards; archives {sum(os.path.getsize(a) for a in archives) / 1e6:.1f} MB; "
              f"{os.cpu_count()} cores; median of {args.rounds} alternating rounds")
        for name, seconds in medians.items():
            print(f"  {name:34s} {seconds * 1e3:8.1f} ms  {total_bytes / seconds / 1e9:6.2f} GB/s")
        print(f"  get_tensor: {largest} ({reference[largest].numel() * 2 / 2**20:.2f} MiB)")
        one = medians["load_file, 1 thread"]
        print(f"  get_tensor / load_file(1 thread): {medians['get_tensor (open + one tensor)'] / one:.3f}")
        print(f"  load_file(1 thread) / lcl decompress -T 1: {one / medians['lcl decompress -T 1 to tmpfs']:.2f}")
        binary = os.path.join(args.build, "bench", "bench_float")
        if os.path.exists(binary):
            name, rate, seconds = bench_float_decode_seconds(binary, total_bytes / 1e6)
            print(f"  bench_float {name}: {rate / 1e9:.2f} GB/s -> {seconds * 1e3:.1f} ms for "
                  f"{total_bytes / 1e6:.1f} MB (float chunks only)")
            print(f"  load_file(1 thread) / bench_float decode: {one / seconds:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
