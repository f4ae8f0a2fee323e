#!/usr/bin/env python3
"""Quantizes bf16/f16/f32 safetensors checkpoints into one GGUF file with ggml's reference
formulas for Q8_0 or Q4_0 (quantize_row_q8_0_ref / quantize_row_q4_0_ref): every 2-D tensor whose
rows are whole 32-element blocks is quantized, the others are stored as F32. With a base model and
a fine-tune of it quantized alike, this gives the quantized fine-tune pair that `lcl compress
--base` codes as block differences. tests/golden/tiny-base-q8_0.gguf and tiny-finetune-q8_0.gguf
are this script's q8_0 output for tiny-base.safetensors and tiny-finetune.safetensors beside them.
Usage: tools/quantize_gguf.py {q8_0|q4_0} OUT.gguf SHARD.safetensors [SHARD.safetensors ...]"""
import json
import struct
import sys

import numpy as np

from make_golden_inputs import write_gguf  # the same file layout, beside this script

TYPES = {"q8_0": (8, 34), "q4_0": (2, 18)}  # name: (ggml type id, bytes per 32-element block)


def read_tensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = np.frombuffer(data[begin:end], dtype=np.uint8)
        if info["dtype"] == "BF16":
            values = (raw.view(np.uint16).astype(np.uint32) << 16).view(np.float32)
        elif info["dtype"] == "F16":
            values = raw.view(np.float16).astype(np.float32)
        elif info["dtype"] == "F32":
            values = raw.view(np.float32)
        else:
            raise SystemExit(f"{path}: {name} is {info['dtype']}, not bf16/f16/f32")
        yield name, info["shape"], values.reshape(info["shape"])


def round_half_away(x):
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def quantize_q8_0(blocks):
    amax = np.abs(blocks).max(axis=1)
    d = amax / 127.0
    inv = np.divide(1.0, d, out=np.zeros_like(d), where=d != 0)
    q = round_half_away(blocks * inv[:, None]).astype(np.int8)
    out = np.empty((len(blocks), 34), dtype=np.uint8)
    out[:, 0:2] = d.astype(np.float16)[:, None].view(np.uint8)
    out[:, 2:] = q.view(np.uint8)
    return out


def quantize_q4_0(blocks):
    signed_max = blocks[np.arange(len(blocks)), np.abs(blocks).argmax(axis=1)]
    d = signed_max / -8.0
    inv = np.divide(1.0, d, out=np.zeros_like(d), where=d != 0)
    q = np.minimum(15, np.trunc(blocks * inv[:, None] + 8.5)).astype(np.uint8)
    out = np.empty((len(blocks), 18), dtype=np.uint8)
    out[:, 0:2] = d.astype(np.float16)[:, None].view(np.uint8)
    out[:, 2:] = q[:, :16] | (q[:, 16:] << 4)
    return out


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in TYPES:
        raise SystemExit(__doc__)
    kind, out_path = sys.argv[1], sys.argv[2]
    type_id, _ = TYPES[kind]
    quantize = quantize_q8_0 if kind == "q8_0" else quantize_q4_0
    tensors = []
    for path in sys.argv[3:]:
        for name, shape, values in read_tensors(path):
            dims = list(reversed(shape))  # ggml lists the row length first
            if len(shape) == 2 and shape[1] % 32 == 0:
                blocks = quantize(values.reshape(-1, 32).astype(np.float32))
                tensors.append((name, dims, type_id, blocks.tobytes()))
            else:
                tensors.append((name, dims, 0, values.astype("<f4").tobytes()))
    write_gguf(out_path, tensors)


if __name__ == "__main__":
    main()
