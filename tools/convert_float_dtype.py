#!/usr/bin/python3
"""Converts the float tensors of a safetensors file (BF16, F16 or F32) to F16 or F8_E5M2 with
round-to-nearest-even, keeping names, shapes and every other tensor as it is: test material for
the fp16 and fp8 codecs made from real weights. Writes elsewhere (e.g. /dev/shm); the outputs
are never committed.

Usage: tools/convert_float_dtype.py {f16|e5m2} IN.safetensors OUT.safetensors"""
import json
import struct
import sys

import numpy as np


def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + n])
    base = 8 + n
    tensors = []
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        tensors.append((begin, name, info["dtype"], info["shape"], data[base + begin:base + end]))
    tensors.sort()
    return header.get("__metadata__"), [t[1:] for t in tensors]


def to_f32(dtype, raw):
    if dtype == "BF16":
        return (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
    if dtype == "F16":
        return np.frombuffer(raw, "<f2").astype(np.float32)
    if dtype == "F32":
        return np.frombuffer(raw, "<f4")
    return None


def f16_to_e5m2(h):
    # E5M2 is the top byte of an fp16; round the low byte to nearest-even (carries reach the
    # exponent as they should; NaN payloads keep a set mantissa bit).
    bits = h.view(np.uint16).astype(np.uint32)
    nan = (bits & 0x7C00) == 0x7C00
    rounded = (bits + 0x7F + ((bits >> 8) & 1)) >> 8
    return np.where(nan, (bits >> 8) | (((bits & 0x3FF) != 0) << 1), rounded).astype(np.uint8)


def main(target, src, dst):
    metadata, tensors = read_safetensors(src)
    out_header, blobs, offset = {}, [], 0
    if metadata is not None:
        out_header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        values = to_f32(dtype, raw)
        if values is not None:
            with np.errstate(over="ignore"):
                h = values.astype(np.float16)  # round-to-nearest-even
            if target == "f16":
                dtype, raw = "F16", h.tobytes()
            else:
                dtype, raw = "F8_E5M2", f16_to_e5m2(h).tobytes()
        out_header[name] = {"dtype": dtype, "shape": shape,
                            "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header = json.dumps(out_header, separators=(",", ":")).encode()
    header += b" " * (-len(header) % 8)
    with open(dst, "wb") as f:
        f.write(struct.pack("<Q", len(header)))
        f.write(header)
        for b in blobs:
            f.write(b)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("f16", "e5m2"):
        sys.exit(__doc__)
    main(*sys.argv[1:])
