#!/usr/bin/python3
"""Writes a large bf16 safetensors file for whole-command benchmarks: the real tensors of the given
safetensors files, repeated under new names until the file reaches --size bytes. Real weights
(not synthetic values) so that codec speed and ratio are those of a model. Each repeat is rotated
by a different number of elements, so that no tensor equals another: lcl codes exact repeats as
copy chunks, which would measure its copy path rather than its codecs.

usage: make_bench_bf16.py --size 500000000 OUT.safetensors IN.safetensors...
"""
import argparse
import json
import struct


def read_tensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        base = 8 + n
        for name, info in sorted(header.items()):
            if name == "__metadata__":
                continue
            begin, end = info["data_offsets"]
            f.seek(base + begin)
            yield name, info["dtype"], info["shape"], f.read(end - begin)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("out")
    parser.add_argument("inputs", nargs="+")
    args = parser.parse_args()
    tensors = [t for path in args.inputs for t in read_tensors(path) if t[1] == "BF16"]
    if not tensors:
        raise SystemExit("no BF16 tensors in the inputs")
    header, chosen, offset, copy = {}, [], 0, 0
    while offset < args.size:
        for name, dtype, shape, data in tensors:
            shift = (copy * 4099) % (len(data) // 2) * 2  # whole bf16 elements
            data = data[shift:] + data[:shift]
            header[f"copy{copy}.{name}"] = {
                "dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
            chosen.append(data)
            offset += len(data)
        copy += 1
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-(8 + len(text)) % 8)
    with open(args.out, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in chosen:
            f.write(data)


if __name__ == "__main__":
    main()
