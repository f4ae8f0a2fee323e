#!/usr/bin/env python3
"""Writes samples/use-lite-sample-bf16.safetensors: a subset of the use-lite bf16 tensors
(Apache-2.0, see samples/NOTICE), small enough to bundle with the repository.
Usage: tools/make_sample.py ../shared/corpus/use-lite/use-lite-bf16.safetensors OUT"""
import json
import struct
import sys

KEEP = [
    "blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_v.weight",
    "blk.0.attn_output.weight", "blk.0.attn_norm.weight", "blk.0.ffn_norm.weight",
    "blk.1.attn_q.weight", "blk.1.attn_k.weight", "blk.1.attn_v.weight",
    "blk.1.attn_output.weight", "blk.1.attn_norm.weight", "blk.1.ffn_norm.weight",
    "output.weight",
]


def main(src, dst):
    with open(src, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out_header, blobs, offset = {}, [], 0
    for name in KEEP:
        info = header[name]
        begin, end = info["data_offsets"]
        blobs.append(data[begin:end])
        out_header[name] = {"dtype": info["dtype"], "shape": info["shape"],
                            "data_offsets": [offset, offset + end - begin]}
        offset += end - begin
    out_header["__metadata__"] = {"source": "use-lite-bf16.safetensors (Apache-2.0), subset"}
    text = json.dumps(out_header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(dst, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
