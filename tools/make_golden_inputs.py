#!/usr/bin/env python3
"""Writes the small model files under tests/golden/ from slices of real weights (use-lite,
Apache-2.0; bytellama-25m, project data). Their .lcl forms are written by `lcl compress` of the
build that introduced a codec, or by tools/make_golden_archives.cpp for payload versions the
encoders no longer choose, and committed; tests/container/golden_test.cpp checks that every later
build decodes them to these exact bytes. Re-running this script is only needed for new inputs.
Usage: tools/make_golden_inputs.py ../shared/corpus tests/golden [finetune-pair | tied]
(with finetune-pair, only the base and fine-tune pair of the delta codec is written; with tied,
only the tied-embedding checkpoint of the copy codec)"""
import json
import struct
import sys


def read_gguf_tensors(path):
    f = open(path, "rb").read()
    o = 4
    _, n_tensors, n_kv = struct.unpack_from("<IQQ", f, o)
    o += 20

    def string(o):
        (n,) = struct.unpack_from("<Q", f, o)
        return f[o + 8:o + 8 + n].decode(), o + 8 + n

    def skip_value(t, o):
        fixed = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
        if t in fixed:
            return o + fixed[t]
        if t == 8:
            return string(o)[1]
        et, n = struct.unpack_from("<IQ", f, o)
        o += 12
        for _ in range(n):
            o = skip_value(et, o)
        return o

    alignment = 32
    for _ in range(n_kv):
        key, o = string(o)
        (t,) = struct.unpack_from("<I", f, o)
        o += 4
        if key == "general.alignment":
            (alignment,) = struct.unpack_from("<I", f, o)
        o = skip_value(t, o)
    infos = []
    for _ in range(n_tensors):
        name, o = string(o)
        (nd,) = struct.unpack_from("<I", f, o)
        o += 4
        dims = list(struct.unpack_from("<%dQ" % nd, f, o))
        o += 8 * nd
        t, off = struct.unpack_from("<IQ", f, o)
        o += 12
        infos.append((name, dims, t, off))
    data_start = (o + alignment - 1) // alignment * alignment
    return {name: (dims, t, f[data_start + off:]) for name, dims, t, off in infos}


BLOCK = {0: (1, 4), 8: (32, 34), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210),
         39: (32, 17)}  # type: (elements, bytes)


def gguf_slice(tensors, name, rows):
    dims, t, data = tensors[name]
    elements, size = BLOCK[t]
    row_bytes = dims[0] // elements * size
    rows = min(rows, dims[1]) if len(dims) > 1 else 1
    new_dims = [dims[0], rows] if len(dims) > 1 else dims
    return name, new_dims, t, data[:row_bytes * rows]


def write_gguf(path, tensors):
    def string(s):
        b = s.encode()
        return struct.pack("<Q", len(b)) + b

    out = bytearray(b"GGUF" + struct.pack("<IQQ", 3, len(tensors), 2))
    out += string("general.architecture") + struct.pack("<I", 8) + string("llama")
    out += string("general.alignment") + struct.pack("<II", 4, 32)
    offset = 0
    for name, dims, t, data in tensors:
        out += string(name) + struct.pack("<I", len(dims)) + struct.pack("<%dQ" % len(dims), *dims)
        out += struct.pack("<IQ", t, offset)
        offset += (len(data) + 31) // 32 * 32
    out += b"\0" * (-len(out) % 32)
    for _, _, _, data in tensors:
        out += data + b"\0" * (-len(data) % 32)
    open(path, "wb").write(out)


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    open(path, "wb").write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def bf16_to_f32(data):
    return b"".join(b"\0\0" + data[i:i + 2] for i in range(0, len(data), 2))


def bf16_to_f16(data):
    values = struct.unpack("<%df" % (len(data) // 2), bf16_to_f32(data))
    return struct.pack("<%de" % len(values), *values)


def f16_to_e5m2(data):
    # E5M2 is the top byte of an fp16, rounded to nearest-even (no NaN in these weights)
    halves = struct.unpack("<%dH" % (len(data) // 2), data)
    return bytes((h + 0x7F + ((h >> 8) & 1)) >> 8 for h in halves)


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    return header, data


def bf16_rows(model, name, first, rows):
    header, data = model
    info = header[name]
    begin, _ = info["data_offsets"]
    cols = info["shape"][-1]
    return data[begin + first * cols * 2:begin + (first + rows) * cols * 2], [rows, cols]


def write_finetune_pair(corpus, out):
    """A real (base, fine-tune) pair in miniature for the delta codec: the same slices of
    bytellama-25m and of its fine-tune, as BF16, F32 and F16, plus a tensor identical in both and
    one that only the fine-tune has."""
    base = read_safetensors(corpus + "/bytellama-25m/model-00002-of-00004.safetensors")
    tuned = read_safetensors(corpus + "/bytellama-25m-ft-changelog/model-00002-of-00004.safetensors")
    name = "model.layers.2.self_attn.q_proj.weight"
    for model, path in ((base, "/tiny-base.safetensors"), (tuned, "/tiny-finetune.safetensors")):
        q, shape = bf16_rows(model, name, 0, 8)
        k, _ = bf16_rows(model, name, 8, 8)
        v, _ = bf16_rows(model, name, 16, 8)
        same, same_shape = bf16_rows(base, name, 24, 4)
        tensors = [
            ("q.bf16", "BF16", shape, q),
            ("k.f32", "F32", shape, bf16_to_f32(k)),
            ("v.f16", "F16", shape, bf16_to_f16(v)),
            ("same.bf16", "BF16", same_shape, same),
        ]
        if model is tuned:
            only, only_shape = bf16_rows(tuned, name, 32, 4)
            tensors.append(("only_finetune.bf16", "BF16", only_shape, only))
        write_safetensors(out + path, tensors)


def write_tied(corpus, out):
    """A checkpoint with tied embeddings in miniature for the copy codec: 16 rows of bytellama-25m's
    embedding (16 KiB, the smallest tensor the writer looks for copies of), a norm vector, and
    the embedding's rows again as the output projection."""
    model = read_safetensors(corpus + "/bytellama-25m/model-00001-of-00004.safetensors")
    embed, shape = bf16_rows(model, "model.embed_tokens.weight", 0, 16)
    norm, norm_shape = bf16_rows(model, "model.layers.0.input_layernorm.weight", 0, 1)
    write_safetensors(out + "/tiny-tied.safetensors", [
        ("embed_tokens.weight", "BF16", shape, embed),
        ("norm.weight", "BF16", norm_shape[1:], norm),
        ("lm_head.weight", "BF16", shape, embed),
    ])


def main(corpus, out):
    with open(corpus + "/use-lite/use-lite-bf16.safetensors", "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()

    def bf16(name, rows):
        info = header[name]
        begin, _ = info["data_offsets"]
        cols = info["shape"][-1]
        return data[begin:begin + rows * cols * 2], [rows, cols]

    q, q_shape = bf16("blk.1.attn_q.weight", 48)
    k, k_shape = bf16("blk.1.attn_k.weight", 16)
    v, v_shape = bf16("blk.1.attn_v.weight", 8)
    write_safetensors(out + "/tiny-float.safetensors", [
        ("attn_q.bf16", "BF16", q_shape, q),
        ("attn_k.f32", "F32", k_shape, bf16_to_f32(k)),
        ("attn_v.f16", "F16", v_shape, bf16_to_f16(v)),
    ])
    fp8_header, fp8_data = read_safetensors(corpus + "/use-lite/use-lite-fp8.safetensors")

    def fp8(name, rows):
        info = fp8_header[name]
        begin, _ = info["data_offsets"]
        cols = info["shape"][-1]
        width = 1 if info["dtype"].startswith("F8") else 4
        return fp8_data[begin:begin + rows * cols * width], [rows, cols]

    e4m3, e4m3_shape = fp8("token_embd.weight", 160)
    scale, scale_shape = fp8("token_embd.weight_scale_inv", 1)
    e5m2, e5m2_shape = bf16("blk.1.ffn_up.weight", 64)
    write_safetensors(out + "/tiny-fp8.safetensors", [
        ("token_embd.weight", "F8_E4M3", e4m3_shape, e4m3),
        ("token_embd.weight_scale_inv", "F32", scale_shape, scale),
        ("ffn_up.e5m2", "F8_E5M2", e5m2_shape, f16_to_e5m2(bf16_to_f16(e5m2))),
    ])
    use_lite = read_gguf_tensors(corpus + "/use-lite/use-lite-Q4_K_M.gguf")
    bytellama_q8 = read_gguf_tensors(corpus + "/bytellama-25m-gguf/bytellama-25m-Q8_0.gguf")
    write_gguf(out + "/tiny-quant.gguf", [
        gguf_slice(use_lite, "token_embd.weight", 48),       # Q4_K
        gguf_slice(use_lite, "blk.1.attn_v.weight", 24),     # Q6_K
        gguf_slice(use_lite, "output_norm.weight", 1),       # F32
        gguf_slice(bytellama_q8, "blk.0.attn_q.weight", 16),  # Q8_0
    ])
    # MXFP4 and Q3_K as the ggml-blocks codec coded them before they had codecs of their own
    # (tiny-blocks.gguf.codecs.lcl): 1024 MXFP4 blocks (a field of 32768 nibbles, the smallest
    # that takes the wide rANS mode) and a few Q3_K blocks.
    gguf_dir = corpus + "/bytellama-25m-gguf/bytellama-25m-"
    write_gguf(out + "/tiny-blocks.gguf", [
        gguf_slice(read_gguf_tensors(gguf_dir + "MXFP4.gguf"), "blk.0.attn_q.weight", 64),
        gguf_slice(read_gguf_tensors(gguf_dir + "Q3_K.gguf"), "blk.0.attn_k.weight", 8),
    ])
    # The q5k, q3k and mxfp4 codecs: slices large enough that each codec beats storing them.
    q5k = read_gguf_tensors(gguf_dir + "Q5_K_M.gguf")
    q3k = read_gguf_tensors(gguf_dir + "Q3_K.gguf")
    mxfp4 = read_gguf_tensors(gguf_dir + "MXFP4.gguf")
    write_gguf(out + "/bytellama-slices-q5k-q3k-mxfp4.gguf", [
        gguf_slice(q5k, "blk.1.attn_q.weight", 64),   # Q5_K
        gguf_slice(q3k, "blk.1.ffn_up.weight", 96),   # Q3_K
        gguf_slice(mxfp4, "blk.1.attn_k.weight", 24),  # MXFP4
        gguf_slice(q5k, "blk.1.attn_norm.weight", 1),  # F32
    ])


if __name__ == "__main__":
    if sys.argv[3:] == ["finetune-pair"]:
        write_finetune_pair(sys.argv[1], sys.argv[2])
    elif sys.argv[3:] == ["tied"]:
        write_tied(sys.argv[1], sys.argv[2])
    else:
        main(sys.argv[1], sys.argv[2])
        write_finetune_pair(sys.argv[1], sys.argv[2])
        write_tied(sys.argv[1], sys.argv[2])
