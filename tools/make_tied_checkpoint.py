#!/usr/bin/python3
"""Writes a safetensors file with tensors that are byte copies of others (as a checkpoint with
tied input/output embeddings or a duplicated layer stores them), for measuring and testing the
copy chunks of the .lcl container.

Usage: tools/make_tied_checkpoint.py IN.safetensors OUT.safetensors [SOURCE=NEW ...]
Every tensor of IN is kept in its order; each NEW tensor (dtype, shape and bytes of SOURCE) is
appended after them."""
import json
import struct
import sys


def main(src, dst, pairs):
    with open(src, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    metadata = header.pop("__metadata__", None)
    tensors = sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0])
    out_header, blobs, offset = {}, [], 0
    if metadata is not None:
        out_header["__metadata__"] = metadata
    for name, info in tensors:
        begin, end = info["data_offsets"]
        blobs.append(data[begin:end])
        out_header[name] = {"dtype": info["dtype"], "shape": info["shape"],
                            "data_offsets": [offset, offset + end - begin]}
        offset += end - begin
    for pair in pairs:
        source, new = pair.split("=", 1)
        info = header[source]
        begin, end = info["data_offsets"]
        blobs.append(data[begin:end])
        out_header[new] = {"dtype": info["dtype"], "shape": info["shape"],
                           "data_offsets": [offset, offset + end - begin]}
        offset += end - begin
    text = json.dumps(out_header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(dst, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
