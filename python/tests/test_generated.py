"""Tests on small generated safetensors files: they run everywhere, corpus or not."""

import os

import numpy as np
import pytest

import lcl
from conftest import read_safetensors, write_safetensors

try:
    import torch
except ImportError:  # torch is optional for the package; its tests are skipped without it
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")


def sample_tensors(rng):
    """Every dtype of the API, with shapes that cross several 64 KiB chunks for some."""
    bf16 = (rng.standard_normal((300, 257)).astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)
    return {
        "bf16.weight": ("BF16", bf16),
        "f32.weight": ("F32", rng.standard_normal((130, 70)).astype(np.float32)),
        "f16.weight": ("F16", rng.standard_normal((64, 33)).astype(np.float16)),
        "f64.scale": ("F64", rng.standard_normal(17)),
        "fp8_e4m3": ("F8_E4M3", rng.integers(0, 256, (40, 9), dtype=np.uint8)),
        "fp8_e5m2": ("F8_E5M2", rng.integers(0, 256, (9,), dtype=np.uint8)),
        "i64.ids": ("I64", rng.integers(-2**40, 2**40, (5, 3), dtype=np.int64)),
        "i32": ("I32", rng.integers(-2**31, 2**31, 11, dtype=np.int32)),
        "i16": ("I16", rng.integers(-2**15, 2**15, 12, dtype=np.int16)),
        "i8": ("I8", rng.integers(-128, 128, (3, 4), dtype=np.int8)),
        "u8": ("U8", rng.integers(0, 256, 7, dtype=np.uint8)),
        "mask": ("BOOL", rng.integers(0, 2, (2, 5)).astype(np.bool_)),
        "scalar": ("F32", np.array(3.5, dtype=np.float32)),
        "empty": ("F32", np.zeros((0, 4), dtype=np.float32)),
    }


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")
    source = folder / "model.safetensors"
    write_safetensors(source, sample_tensors(np.random.default_rng(1)), {"format": "pt", "note": "x"})
    archive = folder / "model.safetensors.lcl"
    original, compressed = lcl.compress_file(source, archive, threads=2)
    assert original == source.stat().st_size and compressed == archive.stat().st_size
    return source, archive


def test_version():
    assert lcl.__version__.count(".") == 2
    assert lcl.__version__.startswith("0.2")


def test_numpy_reads_every_tensor(model):
    source, archive = model
    expected, dtypes, metadata = read_safetensors(source)
    with lcl.safe_open(archive, framework="np") as f:
        assert f.keys() == list(expected)
        assert f.metadata() == metadata
        assert f.format == "safetensors"
        for name, want in expected.items():
            got = f.get_tensor(name)
            assert got.dtype == want.dtype and got.shape == want.shape, name
            assert got.tobytes() == want.tobytes(), name
            assert f.tensor_info(name).dtype == dtypes[name]


def test_numpy_float32_conversion(model):
    source, archive = model
    expected, _, _ = read_safetensors(source)
    with lcl.safe_open(archive, framework="np") as f:
        bf16 = f.get_tensor("bf16.weight", dtype=np.float32)
        assert bf16.dtype == np.float32
        want = (expected["bf16.weight"].astype(np.uint32) << 16).view(np.float32)
        assert np.array_equal(bf16, want)
        assert np.array_equal(f.get_tensor("f16.weight", dtype=np.float32),
                              expected["f16.weight"].astype(np.float32))
        fp8 = f.get_tensor("fp8_e4m3", dtype=np.float32)
        raw = expected["fp8_e4m3"]
        # E4M3FN: 0x38 is 1.0, 0x40 is 2.0, 0x7f and 0xff are NaN, 0x01 the smallest subnormal.
        lut = {0x38: 1.0, 0x40: 2.0, 0xb8: -1.0, 0x01: 2.0 ** -9, 0x7e: 448.0}
        for code, value in lut.items():
            assert np.all(fp8[raw == code] == value)
        assert np.all(np.isnan(fp8[(raw == 0x7f) | (raw == 0xff)]))


def test_slices_decode_the_rows(model):
    source, archive = model
    expected, _, _ = read_safetensors(source)
    with lcl.safe_open(archive, framework="np") as f:
        sl = f.get_slice("bf16.weight")
        assert sl.get_shape() == [300, 257] and sl.get_dtype() == "BF16"
        want = expected["bf16.weight"]
        for key in (slice(10, 20), slice(0, 300), slice(250, 400), slice(5, 5), slice(1, 100, 7)):
            assert np.array_equal(sl[key], want[key]), key
        assert np.array_equal(sl[-1], want[-1])
        assert np.array_equal(sl[3:9, 2:5], want[3:9, 2:5])
        with pytest.raises(IndexError):
            sl[300]


def test_missing_tensor_is_a_key_error(model):
    with lcl.safe_open(model[1], framework="np") as f:
        with pytest.raises(KeyError):
            f.get_tensor("nope")
        with pytest.raises(KeyError):
            f.get_slice("nope")


@needs_torch
def test_torch_reads_every_tensor(model):
    source, archive = model
    expected, dtypes, _ = read_safetensors(source)
    with lcl.safe_open(archive, framework="pt") as f:
        for name, want in expected.items():
            got = f.get_tensor(name)
            assert isinstance(got, torch.Tensor)
            assert tuple(got.shape) == want.shape, name
            if dtypes[name] == "BF16":
                assert got.dtype == torch.bfloat16
            raw = got.contiguous().view(torch.uint8) if got.dim() else got.reshape(1).view(torch.uint8)
            if got.dtype == torch.bool:
                assert np.array_equal(got.numpy(), want)
            else:
                assert raw.numpy().tobytes() == want.tobytes(), name
        part = f.get_slice("bf16.weight")[7:19]
        assert part.dtype == torch.bfloat16
        assert np.array_equal(part.view(torch.int16).numpy().view(np.uint16),
                              expected["bf16.weight"][7:19])


def test_load_file_single_and_sharded(model, tmp_path):
    source, archive = model
    expected, _, _ = read_safetensors(source)
    loaded = lcl.load_file(archive, framework="np", threads=2)
    assert list(loaded) == list(expected)
    for name, want in expected.items():
        assert loaded[name].tobytes() == want.tobytes(), name

    # A two-shard checkpoint with its index.json beside the .lcl shards, and as a directory.
    rng = np.random.default_rng(2)
    shards = {"model-00001-of-00002.safetensors": {"a": ("F32", rng.standard_normal((8, 8)).astype(np.float32))},
              "model-00002-of-00002.safetensors": {"b": ("I32", np.arange(10, dtype=np.int32))}}
    weight_map = {}
    for shard, tensors in shards.items():
        write_safetensors(tmp_path / shard, tensors)
        lcl.compress_file(tmp_path / shard, tmp_path / (shard + ".lcl"))
        os.remove(tmp_path / shard)
        weight_map.update({name: shard for name in tensors})
    import json
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps({"weight_map": weight_map}))
    for path in (tmp_path / "model.safetensors.index.json", tmp_path):
        state = lcl.load_file(path, framework="np")
        assert sorted(state) == ["a", "b"]
        assert np.array_equal(state["a"], shards["model-00001-of-00002.safetensors"]["a"][1])
        assert np.array_equal(state["b"], np.arange(10, dtype=np.int32))


def test_bytes_round_trip_and_threads(model):
    source, _ = model
    data = source.read_bytes()
    for threads in (1, 3, 0):
        packed = lcl.compress(data, threads=threads)
        assert len(packed) < len(data)
        assert lcl.decompress(packed, threads=threads) == data
    assert lcl.decompress(lcl.compress(b"")) == b""
    assert lcl.decompress(lcl.compress(bytearray(b"abc" * 1000))) == b"abc" * 1000
    with lcl.safe_open(lcl.compress(data), framework="np") as f:  # an archive in memory
        assert "bf16.weight" in f


def test_file_round_trip(model, tmp_path):
    source, archive = model
    out = tmp_path / "restored.safetensors"
    lcl.decompress_file(archive, out, threads=2)
    assert out.read_bytes() == source.read_bytes()
    with pytest.raises(OSError):
        lcl.decompress_file(archive, out)  # never replaces an existing file unasked
    lcl.decompress_file(archive, out, overwrite=True)


def test_corrupt_archives_raise(model, tmp_path):
    _, archive = model
    good = archive.read_bytes()
    cases = {
        "empty": b"",
        "not an archive": b"hello world" * 10,
        "truncated": good[: len(good) // 2],
        "flipped payload byte": good[:100] + bytes([good[100] ^ 0xFF]) + good[101:],
        "flipped index byte": good[:-40] + bytes([good[-40] ^ 1]) + good[-39:],
    }
    for what, data in cases.items():
        path = tmp_path / "bad.lcl"
        path.write_bytes(data)
        with pytest.raises(lcl.CorruptArchiveError):
            # Either opening fails, or decoding the damaged chunk does.
            with lcl.safe_open(path, framework="np") as f:
                for name in f.keys():
                    f.get_tensor(name)
                lcl.load_file(path, framework="np")
        with pytest.raises(ValueError):
            lcl.decompress(data)
    assert issubclass(lcl.CorruptArchiveError, ValueError)
    with pytest.raises(OSError):
        lcl.safe_open(tmp_path / "missing.lcl")


def test_reads_across_shared_chunks(model, tmp_path):
    """64 KiB chunks: tensors share chunks and cross them; reads in any order, and row ranges
    starting and ending inside chunks, equal the original whatever the handle kept from the reads
    before them."""
    source, _ = model
    archive = tmp_path / "small-chunks.lcl"
    lcl.compress_file(source, archive, chunk_size=64 * 1024)
    expected, _, _ = read_safetensors(source)
    rng = np.random.default_rng(2)
    with lcl.safe_open(archive, framework="np") as f:
        for names in (list(expected), list(reversed(expected)), list(rng.permutation(list(expected)))):
            for name in names:
                assert np.array_equal(f.get_tensor(name), expected[name]), name
        want = expected["bf16.weight"]
        sl = f.get_slice("bf16.weight")
        for _ in range(40):
            lo = int(rng.integers(0, 300))
            hi = int(rng.integers(lo, 301))
            assert np.array_equal(sl[lo:hi], want[lo:hi]), (lo, hi)


def test_tied_tensors_read_through_copies(tmp_path):
    """An output projection identical to the embedding (tied) costs a few bytes and reads back
    whole and by rows, with 64 KiB chunks (the copy spans several) and the default 4 MiB."""
    rng = np.random.default_rng(3)
    embed = (rng.standard_normal((300, 257)).astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)
    norm = rng.standard_normal(64).astype(np.float32)
    alone, tied = tmp_path / "alone.safetensors", tmp_path / "tied.safetensors"
    write_safetensors(alone, {"embed": ("BF16", embed), "norm": ("F32", norm)})
    write_safetensors(tied, {"embed": ("BF16", embed), "norm": ("F32", norm), "lm_head": ("BF16", embed)})
    for chunk_size in (64 * 1024, 4 << 20):
        _, alone_size = lcl.compress_file(alone, tmp_path / "alone.lcl", chunk_size=chunk_size, overwrite=True)
        _, tied_size = lcl.compress_file(tied, tmp_path / "tied.lcl", chunk_size=chunk_size, overwrite=True)
        assert tied_size < alone_size + 400, (chunk_size, tied_size, alone_size)
        with lcl.safe_open(tmp_path / "tied.lcl", framework="np") as f:
            assert np.array_equal(f.get_tensor("lm_head"), f.get_tensor("embed"))
            assert np.array_equal(f.get_tensor("lm_head").view(np.uint16), embed)
            assert np.array_equal(f.get_slice("lm_head")[123:217].view(np.uint16), embed[123:217])
