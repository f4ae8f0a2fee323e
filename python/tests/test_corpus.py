"""Tests on the real models of the shared corpus (skipped, saying so, where it is absent): every
tensor read through lcl equals what an independent reader of the original file gives."""

import json
import os
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

import lcl
from conftest import CORPUS, read_safetensors, require_corpus

SAFETENSORS = ["stories260K/stories260K-bf16.safetensors", "use-lite/use-lite-bf16.safetensors",
               "use-lite/use-lite-fp8.safetensors"] + [
    f"bytellama-25m/model-0000{i}-of-00004.safetensors" for i in range(1, 5)]
GGUF = ["stories260K/stories260K-Q4_K_M.gguf", "use-lite/use-lite-Q4_K_M.gguf",
        "bytellama-25m-gguf/bytellama-25m-Q4_K_M.gguf", "bytellama-25m-gguf/bytellama-25m-Q8_0.gguf"]


@pytest.fixture(scope="session")
def archives(tmp_path_factory):
    """Compresses each corpus file once per session: relative path -> .lcl path."""
    folder = tmp_path_factory.mktemp("corpus")
    cache = {}

    def get(relative):
        if relative not in cache:
            source = require_corpus(*relative.split("/"))
            target = folder / (relative.replace("/", "__") + ".lcl")
            lcl.compress_file(source, target, threads=0)
            cache[relative] = target
        return cache[relative]

    return get


@pytest.mark.parametrize("relative", SAFETENSORS)
def test_safetensors_every_tensor_matches(archives, relative):
    archive = archives(relative)
    expected, dtypes, metadata = read_safetensors(CORPUS / relative)
    with lcl.safe_open(archive, framework="np") as f:
        assert f.keys() == list(expected)
        assert (f.metadata() or {}) == metadata
        for name, want in expected.items():
            got = f.get_tensor(name)
            assert got.shape == want.shape and got.dtype == want.dtype, name
            assert got.tobytes() == want.tobytes(), name
        # A row range of the largest tensor decodes to the same rows.
        largest = max(expected, key=lambda n: expected[n].nbytes)
        rows = expected[largest].shape[0]
        a, b = rows // 3, rows // 3 + max(1, rows // 5)
        assert np.array_equal(f.get_slice(largest)[a:b], expected[largest][a:b])


def test_sharded_bytellama_load_file_into_torch(archives, tmp_path):
    torch = pytest.importorskip("torch")
    folder = require_corpus("bytellama-25m")
    for shard in sorted(folder.glob("model-*.safetensors")):
        shutil.copy(archives(f"bytellama-25m/{shard.name}"), tmp_path / (shard.name + ".lcl"))
    shutil.copy(folder / "model.safetensors.index.json", tmp_path)
    state = lcl.load_file(tmp_path / "model.safetensors.index.json", framework="pt", threads=0)
    weight_map = json.loads((folder / "model.safetensors.index.json").read_text())["weight_map"]
    assert sorted(state) == sorted(weight_map)
    for shard in sorted(folder.glob("model-*.safetensors")):
        expected, dtypes, _ = read_safetensors(shard)
        for name, want in expected.items():
            got = state[name]
            assert got.dtype == torch.bfloat16 and tuple(got.shape) == want.shape, name
            assert np.array_equal(got.view(torch.int16).numpy().view(np.uint16), want), name
    again = lcl.load_file(tmp_path, framework="pt", threads=1)  # the directory of shards
    assert all(torch.equal(again[n].view(torch.int16), state[n].view(torch.int16)) for n in state)


def gguf_tensor_table(path):
    """(name -> (ggml type, ne, absolute offset)) from a GGUF v2/v3 header, read independently."""
    data = Path(path).read_bytes()
    pos = 4
    version, n_tensors, n_kv = struct.unpack_from("<IQQ", data, pos)
    pos += 20
    scalar = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}

    def skip_value(kind, pos):
        if kind in scalar:
            return pos + scalar[kind]
        if kind == 8:  # string
            (n,) = struct.unpack_from("<Q", data, pos)
            return pos + 8 + n
        if kind == 9:  # array
            item, count = struct.unpack_from("<IQ", data, pos)
            pos += 12
            for _ in range(count):
                pos = skip_value(item, pos)
            return pos
        raise ValueError(f"GGUF value type {kind}")

    alignment = 32
    for _ in range(n_kv):
        (n,) = struct.unpack_from("<Q", data, pos)
        key = data[pos + 8:pos + 8 + n].decode()
        pos += 8 + n
        (kind,) = struct.unpack_from("<I", data, pos)
        pos += 4
        if key == "general.alignment":
            (alignment,) = struct.unpack_from("<I", data, pos)
        pos = skip_value(kind, pos)
    tensors = {}
    for _ in range(n_tensors):
        (n,) = struct.unpack_from("<Q", data, pos)
        name = data[pos + 8:pos + 8 + n].decode()
        pos += 8 + n
        (dims,) = struct.unpack_from("<I", data, pos)
        ne = struct.unpack_from(f"<{dims}Q", data, pos + 4)
        pos += 4 + 8 * dims
        ggml_type, offset = struct.unpack_from("<IQ", data, pos)
        pos += 12
        tensors[name] = (ggml_type, ne, offset)
    base = (pos + alignment - 1) // alignment * alignment
    return data, {k: (t, ne, base + off) for k, (t, ne, off) in tensors.items()}


def dequantize_q8_0(blocks: np.ndarray) -> np.ndarray:
    """ggml Q8_0 in numpy: per 34-byte block an f16 scale d and 32 int8 quants; x = d * q."""
    b = blocks.reshape(-1, 34)
    d = b[:, :2].copy().view("<f2").astype(np.float32)
    q = b[:, 2:].copy().view(np.int8).astype(np.float32)
    return (d * q).reshape(-1)


@pytest.mark.parametrize("relative", GGUF)
def test_gguf_every_tensor_matches(archives, relative):
    archive = archives(relative)
    data, table = gguf_tensor_table(CORPUS / relative)
    # Every tensor through load_file (one pass over the archive); get_tensor on a sample of them
    # (small GGUF tensors share chunks, which get_tensor decodes again for each tensor).
    loaded = lcl.load_file(archive, framework="np")
    assert sorted(loaded) == sorted(table)
    with lcl.safe_open(archive, framework="np") as f:
        assert f.format == "gguf" and sorted(f.keys()) == sorted(table)
        assert f.metadata()["general.architecture"]
        sample = set(list(table)[:3]) | set([n for n, (t, _, _) in table.items() if t == 8][:3])
        for name, (ggml_type, ne, offset) in table.items():
            info = f.tensor_info(name)
            assert info.type_id == ggml_type and info.shape == tuple(reversed(ne)), name
            want = np.frombuffer(data, np.uint8, info.size, offset)
            assert loaded[name].tobytes() == want.tobytes(), name
            if name not in sample:
                continue
            assert f.get_tensor(name).tobytes() == want.tobytes(), name
            if ggml_type == 8:  # Q8_0: an independent numpy dequantizer
                values = f.get_tensor(name, dequantize=True)
                assert values.shape == info.shape
                assert np.array_equal(values.reshape(-1), dequantize_q8_0(want)), name


def dequantize_helper():
    """The C++ helper that prints the built-in dequantizer's output for a GGUF tensor."""
    path = os.environ.get("LCL_DEQUANTIZE_HELPER")
    if not path:
        for build in ("build/release", "build/python"):
            candidate = Path(__file__).resolve().parents[2] / build / "python" / "lcl_dequantize_tensor"
            if candidate.exists():
                path = str(candidate)
                break
    if not path or not os.path.exists(path):
        pytest.skip("lcl_dequantize_tensor not built (configure with -DLCL_BUILD_PYTHON=ON)")
    return path


@pytest.mark.parametrize("relative", ["bytellama-25m-gguf/bytellama-25m-Q4_K_M.gguf",
                                      "bytellama-25m-gguf/bytellama-25m-Q8_0.gguf",
                                      "stories260K/stories260K-Q4_K_M.gguf"])
def test_gguf_dequantize_equals_cpp(archives, relative):
    archive = archives(relative)
    helper = dequantize_helper()
    checked = set()
    with lcl.safe_open(archive, framework="np") as f:
        for name in f.keys():
            info = f.tensor_info(name)
            if info.dtype in checked or not lcl._lcl.can_dequantize(info.type_id):
                continue  # one tensor of each type the dequantizer knows
            checked.add(info.dtype)
            values = f.get_tensor(name, dequantize=True)
            out = subprocess.run([helper, str(CORPUS / relative), name], check=True,
                                 stdout=subprocess.PIPE).stdout
            want = np.frombuffer(out, dtype="<f4")
            assert values.dtype == np.float32 and values.shape == info.shape
            assert np.array_equal(values.reshape(-1).view(np.uint32), want.view(np.uint32)), name
    # Q4_K_M files hold q4_K and q6_K tensors (and F32 norms); the Q8_0 file q8_0 ones.
    assert checked & {"q4_K", "q6_K", "q8_0"}, checked
