"""Load compressed LLM checkpoints (.lcl archives) straight into numpy and torch.

An ``.lcl`` file is a losslessly compressed model file (safetensors, sharded safetensors, GGUF or
any other bytes). This package reads tensors out of it without writing the original back to disk:

    >>> import lcl
    >>> with lcl.safe_open("model.safetensors.lcl", framework="pt") as f:
    ...     w = f.get_tensor("model.embed_tokens.weight")   # decodes only this tensor's chunks
    >>> state = lcl.load_file("checkpoint_dir/", framework="pt")  # every shard, every tensor

``compress_file``/``decompress_file`` and ``compress``/``decompress`` convert whole files and
byte strings. A corrupt archive raises :class:`CorruptArchiveError` (a ``ValueError``); a missing
tensor raises ``KeyError``. Decoding releases the GIL and uses ``threads`` workers (0: one per
core).

numpy has no bfloat16 or float8 types: by default ``framework="np"`` returns BF16 tensors as their
raw ``uint16`` bit patterns and F8_E4M3/F8_E5M2 tensors as raw ``uint8`` (bit-exact, no copy);
``get_tensor(name, dtype=numpy.float32)`` converts any float tensor to float32 instead (exact).
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _lcl
from ._lcl import CorruptArchiveError

__version__: str = _lcl.version()

__all__ = [
    "CorruptArchiveError",
    "TensorInfo",
    "safe_open",
    "load_file",
    "compress_file",
    "decompress_file",
    "compress",
    "decompress",
    "__version__",
]

PathLike = Union[str, "os.PathLike[str]"]

# safetensors dtype -> numpy dtype of the returned array (raw bit patterns for bf16 and fp8).
_NUMPY_DTYPES: Dict[str, np.dtype] = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "BF16": np.dtype("<u2"),
    "F8_E4M3": np.dtype("u1"),
    "F8_E5M2": np.dtype("u1"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U64": np.dtype("<u8"),
    "U32": np.dtype("<u4"),
    "U16": np.dtype("<u2"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}
_FLOAT_TYPES = ("F64", "F32", "F16", "BF16", "F8_E4M3", "F8_E5M2")


def _torch_dtype(name: str):
    import torch

    table = {
        "F64": torch.float64,
        "F32": torch.float32,
        "F16": torch.float16,
        "BF16": torch.bfloat16,
        "I64": torch.int64,
        "I32": torch.int32,
        "I16": torch.int16,
        "I8": torch.int8,
        "U8": torch.uint8,
        "BOOL": torch.bool,
        # float8 exists from torch 2.1 on; older versions get the raw bytes as uint8.
        "F8_E4M3": getattr(torch, "float8_e4m3fn", torch.uint8),
        "F8_E5M2": getattr(torch, "float8_e5m2", torch.uint8),
    }
    if name not in table:
        raise TypeError(f"torch has no dtype for {name} tensors; use framework='np'")
    return table[name]


def _fp8_to_float32(raw: np.ndarray, name: str) -> np.ndarray:
    """Exact float32 values of OCP FP8 bit patterns (E4M3FN: no infinities, 0x7f/0xff NaN)."""
    codes = np.arange(256, dtype=np.uint32)
    sign = np.where(codes & 0x80, -1.0, 1.0)
    if name == "F8_E4M3":
        exp_bits, man_bits, bias = 4, 3, 7
    else:
        exp_bits, man_bits, bias = 5, 2, 15
    exponent = (codes >> man_bits) & ((1 << exp_bits) - 1)
    mantissa = codes & ((1 << man_bits) - 1)
    normal = (1.0 + mantissa / (1 << man_bits)) * np.power(2.0, exponent.astype(np.float64) - bias)
    subnormal = (mantissa / (1 << man_bits)) * 2.0 ** (1 - bias)
    table = sign * np.where(exponent == 0, subnormal, normal)
    top = (1 << exp_bits) - 1
    if name == "F8_E4M3":
        table[(exponent == top) & (mantissa == (1 << man_bits) - 1)] = np.nan
    else:
        table[(exponent == top) & (mantissa == 0)] = sign[(exponent == top) & (mantissa == 0)] * np.inf
        table[(exponent == top) & (mantissa != 0)] = np.nan
    return table.astype(np.float32)[raw]


def _to_float32(raw: np.ndarray, name: str) -> np.ndarray:
    if name == "BF16":
        return (raw.astype(np.uint32) << 16).view(np.float32)
    if name in ("F8_E4M3", "F8_E5M2"):
        return _fp8_to_float32(raw, name)
    return raw.astype(np.float32)


class TensorInfo:
    """What the archive's index says about one tensor.

    ``dtype`` is the safetensors dtype ("BF16", ...) or the ggml type name ("q4_K", ...);
    ``type_id`` the numeric type (ggml's enum value for ggml types); ``shape`` the logical shape,
    outermost dimension first (for GGUF tensors: ggml's ne reversed); ``offset``/``size`` the
    tensor's byte range in the original file; ``quantized`` is true for ggml block types, whose
    ``get_tensor`` result is the raw blocks.
    """

    __slots__ = ("name", "type_id", "dtype", "shape", "offset", "size", "block_elements",
                 "block_bytes", "quantized", "gguf")

    def __init__(self, row: Tuple[Any, ...], gguf: bool) -> None:
        (self.name, self.type_id, self.dtype, file_shape, self.offset, self.size,
         self.block_elements, self.block_bytes) = row
        self.gguf = gguf
        self.shape: Tuple[int, ...] = tuple(reversed(file_shape)) if gguf else tuple(file_shape)
        self.quantized = self.dtype not in _NUMPY_DTYPES

    def __repr__(self) -> str:
        return (f"TensorInfo(name={self.name!r}, dtype={self.dtype!r}, shape={self.shape}, "
                f"offset={self.offset}, size={self.size})")


def _wrap(raw: np.ndarray, info: TensorInfo, framework: str, dtype: Any, device: str,
          dequantize: bool) -> Any:
    """Turns the decoded bytes of one tensor into the array the caller asked for (no copy where
    the bytes can be viewed as the tensor's type)."""
    if info.quantized:
        if dequantize:
            count = int(np.prod(info.shape, dtype=np.int64)) if info.shape else 1
            array = _lcl.dequantize(info.type_id, raw, count).reshape(info.shape)
        else:
            array = raw
    else:
        np_dtype = _NUMPY_DTYPES[info.dtype]
        if raw.ctypes.data % np_dtype.itemsize:  # an unaligned tensor in the file: realign
            raw = raw.copy()
        array = raw.view(np_dtype).reshape(info.shape)
        if dequantize and info.dtype in _FLOAT_TYPES:
            array = _to_float32(array, info.dtype)
    if framework == "np":
        if (dtype is not None and np.dtype(dtype) == np.float32 and info.dtype in _FLOAT_TYPES
                and array.dtype != np.float32):
            return _to_float32(array, info.dtype)
        return array if dtype is None else array.astype(dtype, copy=False)
    import torch

    if info.quantized or dequantize:
        tensor = torch.from_numpy(np.ascontiguousarray(array))
    elif info.size == 0:
        tensor = torch.empty(info.shape, dtype=_torch_dtype(info.dtype))
    else:  # the decoded bytes themselves, viewed as the tensor's torch dtype
        tensor = torch.from_numpy(raw)
        target = _torch_dtype(info.dtype)
        if target is not torch.uint8:
            tensor = tensor.view(target)
        tensor = tensor.reshape(info.shape)
    if dtype is not None:
        tensor = tensor.to(dtype)
    if device != "cpu":
        tensor = tensor.to(device)
    return tensor


class _Slice:
    """A lazily read tensor: ``sl[a:b]`` decodes only the chunks holding rows a..b."""

    def __init__(self, handle: "safe_open", info: TensorInfo) -> None:
        self._handle = handle
        self._info = info

    def get_shape(self) -> List[int]:
        return list(self._info.shape)

    def get_dtype(self) -> str:
        return self._info.dtype

    def __getitem__(self, key: Any) -> Any:
        info = self._info
        if not info.shape:
            raise IndexError("a scalar tensor cannot be sliced")
        first, rest = (key[0], key[1:]) if isinstance(key, tuple) else (key, ())
        rows = info.shape[0]
        if isinstance(first, slice):
            start, stop, step = first.indices(rows)
            if step < 1:
                raise ValueError("get_slice supports positive steps only")
            lo, hi, local = start, max(start, stop), slice(None, None, step)
        elif isinstance(first, (int, np.integer)):
            index = int(first) + rows if first < 0 else int(first)
            if not 0 <= index < rows:
                raise IndexError(f"index {first} out of range for {rows} rows")
            lo, hi, local = index, index + 1, 0
        else:
            raise TypeError("get_slice takes an int or a slice on the first dimension")
        row_bytes = info.size // rows if rows else 0
        raw = self._handle._open().read(info.offset + lo * row_bytes, (hi - lo) * row_bytes,
                                        self._handle._threads)
        part = TensorInfo.__new__(TensorInfo)
        for field in TensorInfo.__slots__:
            setattr(part, field, getattr(info, field))
        part.size = (hi - lo) * row_bytes
        # Raw blocks of a quantized tensor: one row of bytes per logical row.
        part.shape = (hi - lo, row_bytes) if info.quantized else (hi - lo,) + info.shape[1:]
        array = _wrap(raw, part, self._handle._framework, None, self._handle._device, False)
        return array[(local,) + tuple(rest)]


class safe_open:
    """Opens an ``.lcl`` archive for reading single tensors, like ``safetensors.safe_open``.

    ``with lcl.safe_open(path, framework="pt") as f:``

    * ``f.keys()``: tensor names in file order;
    * ``f.metadata()``: the original file's metadata (safetensors ``__metadata__`` or GGUF
      key/values) as a dict of strings, None when there is none;
    * ``f.get_tensor(name, dtype=None, dequantize=False)``: decodes only the chunks that hold the
      tensor, into the memory of the returned array (no extra copy). For GGUF block types
      (q4_K, q8_0, ...) the result is the raw blocks as uint8; ``dequantize=True`` gives float32 in
      the tensor's logical shape (F32, F16, BF16, Q8_0, Q4_K, Q6_K);
    * ``f.get_slice(name)[a:b]``: rows a..b of the first dimension, decoding only their chunks;
    * ``f.tensor_info(name)``: dtype, logical shape, ggml type id, byte range (:class:`TensorInfo`).

    ``path`` may also be bytes-like (an archive in memory). ``framework``: "np" (numpy) or "pt"
    (torch). ``device``: where torch tensors go ("cpu", "cuda:0", ...). ``threads``: decoding
    workers per call (0: one per core). Raises CorruptArchiveError for a file that is not a valid
    archive, KeyError for a name the archive does not hold.
    """

    def __init__(self, path: Union[PathLike, bytes, bytearray, memoryview], framework: str = "np",
                 device: str = "cpu", threads: int = 1) -> None:
        if framework not in ("np", "numpy", "pt", "torch"):
            raise ValueError(f"framework must be 'np' or 'pt', not {framework!r}")
        self._framework = "np" if framework in ("np", "numpy") else "pt"
        self._device = str(device)
        self._threads = int(threads)
        if isinstance(path, (bytes, bytearray, memoryview)):
            self._archive = _lcl.Archive.open_bytes(path)
        else:
            self._archive = _lcl.Archive.open_path(os.fspath(path))
        gguf = self._archive.format == "gguf"
        self._infos = {row[0]: TensorInfo(row, gguf) for row in self._archive.tensors()}

    def __enter__(self) -> "safe_open":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Releases the archive (tensors already returned stay valid)."""
        self._archive = None

    @property
    def format(self) -> str:
        """The original's format: "safetensors", "gguf" or "opaque"."""
        return self._open().format

    def _open(self):
        if self._archive is None:
            raise ValueError("the archive is closed")
        return self._archive

    def keys(self) -> List[str]:
        return list(self._infos)

    def __iter__(self) -> Iterator[str]:
        return iter(self._infos)

    def __len__(self) -> int:
        return len(self._infos)

    def __contains__(self, name: object) -> bool:
        return name in self._infos

    def metadata(self) -> Optional[Dict[str, str]]:
        pairs = self._open().metadata()
        return dict(pairs) if pairs else None

    def tensor_info(self, name: str) -> TensorInfo:
        try:
            return self._infos[name]
        except KeyError:
            raise KeyError(f"no tensor named {name!r} in the archive") from None

    def get_tensor(self, name: str, dtype: Any = None, dequantize: bool = False) -> Any:
        info = self.tensor_info(name)
        raw = self._open().read(info.offset, info.size, self._threads)
        return _wrap(raw, info, self._framework, dtype, self._device, dequantize)

    def get_slice(self, name: str) -> _Slice:
        self._open()
        return _Slice(self, self.tensor_info(name))


def _shards(path: PathLike) -> List[str]:
    """The .lcl files of a checkpoint: a file, a directory of .lcl shards, or an index.json."""
    path = os.fspath(path)
    if os.path.isdir(path):
        files = sorted(f for f in os.listdir(path) if f.endswith(".lcl"))
        if not files:
            raise FileNotFoundError(f"no .lcl files in {path}")
        return [os.path.join(path, f) for f in files]
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as f:
            weight_map = json.load(f).get("weight_map", {})
        folder = os.path.dirname(path)
        names = sorted(set(weight_map.values()))
        out = []
        for name in names:
            candidate = os.path.join(folder, name + ".lcl")
            if not os.path.exists(candidate) and name.endswith(".lcl"):
                candidate = os.path.join(folder, name)
            out.append(candidate)
        return out
    return [path]


def load_file(path: PathLike, framework: str = "pt", device: str = "cpu",
              threads: int = 0) -> Dict[str, Any]:
    """Every tensor of an archive, or of a sharded checkpoint, as a dict name -> tensor.

    ``path``: one ``.lcl`` file, a directory of ``.lcl`` shards, or a
    ``model.safetensors.index.json`` whose shards sit beside it as ``<shard>.lcl``. Each archive
    is decoded whole, chunks in parallel (``threads``, 0: one per core), into one buffer that the
    returned tensors view (no copies); the buffer lives while any of them does. GGUF block types
    come back as raw uint8 blocks (use safe_open(...).get_tensor(name, dequantize=True)).
    """
    framework = "np" if framework in ("np", "numpy") else framework
    if framework not in ("np", "pt"):
        raise ValueError(f"framework must be 'np' or 'pt', not {framework!r}")
    result: Dict[str, Any] = {}
    for shard in _shards(path):
        archive = _lcl.Archive.open_path(shard)
        whole = archive.read(0, archive.original_size, int(threads))
        gguf = archive.format == "gguf"
        for row in archive.tensors():
            info = TensorInfo(row, gguf)
            raw = whole[info.offset:info.offset + info.size]
            result[info.name] = _wrap(raw, info, framework, None, device, False)
    return result


def compress_file(src: PathLike, dst: PathLike, threads: int = 0, level: int = 3,
                  overwrite: bool = False, chunk_size: int = 0) -> Tuple[int, int]:
    """Compresses file ``src`` into the archive ``dst``; returns (original, compressed) sizes.

    ``dst`` appears only when complete; an existing ``dst`` is an error unless ``overwrite``.
    ``level``: zstd level for metadata and bytes without a specialised codec. ``chunk_size``:
    target chunk bytes (0: the default, 4 MiB). Tensors up to that size share chunks, and
    get_tensor decodes whole chunks: smaller chunks make single-tensor reads cheaper.
    """
    return _lcl.compress_file(os.fspath(src), os.fspath(dst), int(threads), int(level),
                              int(chunk_size), bool(overwrite))


def decompress_file(src: PathLike, dst: PathLike, threads: int = 0,
                    overwrite: bool = False) -> None:
    """Restores the original file from archive ``src`` into ``dst``, byte for byte, checking
    every checksum before ``dst`` appears."""
    _lcl.decompress_file(os.fspath(src), os.fspath(dst), int(threads), bool(overwrite))


def compress(data: Union[bytes, bytearray, memoryview], threads: int = 0, level: int = 3) -> bytes:
    """The archive of ``data`` (any bytes; a safetensors or GGUF image gets its tensor codecs)."""
    return _lcl.compress(data, int(threads), int(level))


def decompress(data: Union[bytes, bytearray, memoryview], threads: int = 0) -> bytes:
    """The original bytes of the archive ``data``; CorruptArchiveError when it is not valid."""
    return _lcl.decompress(data, int(threads))
