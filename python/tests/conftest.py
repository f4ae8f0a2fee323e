"""Shared helpers of the Python tests: a plain numpy reader of safetensors files (independent of
lcl), a writer for small generated ones, and where the shared corpus and the build tree are."""

import json
import os
import struct
from pathlib import Path
from typing import Dict, Tuple

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
# LCL_CORPUS_DIR overrides the default ../shared/corpus (relative to the repository root).
CORPUS = Path(os.environ.get("LCL_CORPUS_DIR", REPO.parent / "shared" / "corpus"))

# safetensors dtype -> numpy dtype of its raw elements (bf16 and fp8 as bit patterns).
RAW_DTYPES = {
    "F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2", "F8_E4M3": "u1", "F8_E5M2": "u1",
    "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?",
    "U16": "<u2", "U32": "<u4", "U64": "<u8",
}


def read_safetensors(path) -> Tuple[Dict[str, np.ndarray], Dict[str, str], Dict[str, str]]:
    """(tensors as raw numpy arrays, dtype names, __metadata__) of a safetensors file."""
    data = Path(path).read_bytes()
    (header_len,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + header_len])
    metadata = header.pop("__metadata__", {})
    base = 8 + header_len
    tensors, dtypes = {}, {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        raw = np.frombuffer(data[base + begin:base + end], dtype=RAW_DTYPES[entry["dtype"]])
        tensors[name] = raw.reshape(entry["shape"])
        dtypes[name] = entry["dtype"]
    return tensors, dtypes, metadata


def write_safetensors(path, tensors: Dict[str, Tuple[str, np.ndarray]], metadata=None) -> None:
    """Writes {name: (dtype name, raw array)} as a safetensors file."""
    header = {}
    offset = 0
    blobs = []
    for name, (dtype, array) in tensors.items():
        blob = np.ascontiguousarray(array).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def require_corpus(*parts) -> Path:
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared corpus not found at {path}")
    return path
