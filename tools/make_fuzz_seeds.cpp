// Writes the committed fuzz seeds (fuzz/seeds/<target>/) from the committed test files, with the
// library's own encoders, so that every target starts from inputs that pass its format checks and
// reach its decoders. Run through tools/make_fuzz_seeds.sh; the output is deterministic.
//   make_fuzz_seeds SOURCE_DIR OUT_DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "codecs/delta/delta_coder.hpp"
#include "codecs/fields/quant_fields.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "codecs/float/float_codec.hpp"
#include "codecs/fp8/fp8_coder.hpp"
#include "codecs/q4k/q4k_codec.hpp"
#include "codecs/q6k/q6k_codec.hpp"
#include "codecs/q8_0/q8_0_codec.hpp"
#include "codecs/segments/segments_codec.hpp"
#include "delta_reference.hpp"
#include "entropy/compact_table.hpp"
#include "entropy/rans.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "support/model_builders.hpp"
#include "util/byte_io.hpp"

namespace fs = std::filesystem;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

void write_seed(const fs::path& dir, const std::string& name, const Bytes& bytes) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + (dir / name).string());
  std::printf("%-22s %-28s %6zu bytes\n", dir.filename().c_str(), name.c_str(), bytes.size());
}

// The first `n` bytes of the tensor `name` in a model file.
Bytes tensor_bytes(const Bytes& file, const std::string& name, size_t n) {
  lcl::Layout layout = lcl::read_layout(lcl::MemorySource(file));
  for (const lcl::Region& r : layout.regions)
    if (r.tensor.name == name) {
      if (r.size < n) throw std::runtime_error(name + " is shorter than " + std::to_string(n));
      return Bytes(file.begin() + static_cast<ptrdiff_t>(r.offset),
                   file.begin() + static_cast<ptrdiff_t>(r.offset + n));
    }
  throw std::runtime_error("no tensor " + name);
}

struct Slices {
  Bytes bf16, f32, f16, q4k, q6k, q8_0;
};

Slices read_slices(const fs::path& source) {
  const Bytes floats = read_file(source / "tests/golden/tiny-float.safetensors");
  const Bytes quants = read_file(source / "tests/fixtures/smoke/bytellama-slices-q4km.gguf");
  lcl::Layout layout = lcl::read_layout(lcl::MemorySource(quants));
  Slices s;
  s.bf16 = tensor_bytes(floats, "attn_q.bf16", 6144);
  s.f32 = tensor_bytes(floats, "attn_k.f32", 6144);
  s.f16 = tensor_bytes(floats, "attn_v.f16", 4096);
  // The first tensor of each quantized type in the smoke slice: 32 blocks or what there is.
  for (const lcl::Region& r : layout.regions) {
    if (r.kind != lcl::RegionKind::kTensor) continue;
    auto take = [&](Bytes& into, size_t block) {
      if (!into.empty()) return;
      const size_t n = std::min<size_t>(r.size / block, 32) * block;
      into.assign(quants.begin() + static_cast<ptrdiff_t>(r.offset),
                  quants.begin() + static_cast<ptrdiff_t>(r.offset + n));
    };
    if (r.tensor.type == lcl::type::kQ4_K) take(s.q4k, 144);
    if (r.tensor.type == lcl::type::kQ6_K) take(s.q6k, 210);
    if (r.tensor.type == lcl::type::kQ8_0) take(s.q8_0, 34);
  }
  if (s.q4k.empty() || s.q6k.empty()) throw std::runtime_error("smoke GGUF lacks q4_K or q6_K");
  return s;
}

// ---------------------------------------------------------------- model files
Bytes small_safetensors(const Slices& s) {
  return lcl::test::build_safetensors(
      {{"model.layers.0.self_attn.q_proj.weight", "BF16", {s.bf16.size() / 2}, s.bf16},
       {"model.norm.weight", "F32", {s.f32.size() / 4}, s.f32},
       {"lm_head.bias", "F16", {16}, Bytes(s.f16.begin(), s.f16.begin() + 32)}},
      {{"format", "pt"}});
}

Bytes small_gguf(const Slices& s) {
  lcl::test::GgufBuilder builder;
  builder.kv_string("general.architecture", "llama")
      .kv_u32("llama.block_count", 1)
      .kv_f32("llama.rope.freq_base", 10000.0f)
      .kv_string_array("tokenizer.ggml.tokens", {"<s>", "</s>", "a", "b"})
      .kv_u32_array("llama.layer_sizes", {1, 2, 3})
      .tensor({"blk.0.attn_q.weight", lcl::type::kQ4_K, {256, s.q4k.size() / 144}, s.q4k})
      .tensor({"blk.0.ffn_down.weight", lcl::type::kQ6_K, {256, s.q6k.size() / 210}, s.q6k})
      .tensor(
          {"output_norm.weight", lcl::type::kF32, {64}, Bytes(s.f32.begin(), s.f32.begin() + 256)});
  if (!s.q8_0.empty())
    builder.tensor({"blk.0.attn_v.weight", lcl::type::kQ8_0, {32, s.q8_0.size() / 34}, s.q8_0});
  return builder.build().bytes;
}

Bytes compress(const Bytes& model, const std::string& name, const fs::path& scratch,
               bool store = false) {
  const fs::path in = scratch / name, out = scratch / (name + ".lcl");
  std::ofstream(in, std::ios::binary)
      .write(reinterpret_cast<const char*>(model.data()),
             static_cast<std::streamsize>(model.size()));
  lcl::CompressOptions options;
  options.threads = 1;
  options.plan.chunk_size = 4096;  // several chunks even in a few KB
  options.plan.store_only = store;
  lcl::compress_file(in, out, options, true);
  return read_file(out);
}

// ---------------------------------------------------------------- codec payloads
Bytes encode_with(const lcl::Codec& codec, lcl::TypeId type, const Bytes& input) {
  lcl::EncodeContext context;
  context.type = type;
  context.level = 3;
  if (&codec == &lcl::segments_codec()) {
    const size_t q = input.size() / 144 / 2 * 144;
    context.segments = {{lcl::type::kQ4_K, q}, {lcl::type::kOpaque, input.size() - q}};
  }
  Bytes payload;
  codec.encode(input, context, payload);
  return payload;
}

// fuzz_float: u16 output size, then a float codec payload.
Bytes float_seed(lcl::TypeId type, const Bytes& values) {
  Bytes seed = {static_cast<uint8_t>(values.size()), static_cast<uint8_t>(values.size() >> 8)};
  Bytes payload = encode_with(lcl::float_codec(), type, values);
  seed.insert(seed.end(), payload.begin(), payload.end());
  return seed;
}

// fuzz_float: u16 output size, then an fp8 payload of the given version.
Bytes fp8_seed(const Bytes& values, uint8_t version) {
  Bytes seed = {static_cast<uint8_t>(values.size()), static_cast<uint8_t>(values.size() >> 8)};
  lcl::fp8_format::encode_fp8(values, lcl::fp8_format::Fp8Kind::kE4M3, seed, {0, version});
  return seed;
}

// fuzz_quant_fields: u8 alphabet - 1, u8 contexts - 1, u8 log2(count + 1), then a field of
// 4095 geometric symbols of 32 (context i % 3) in 64-lane mode, which the encoder otherwise
// writes only for fields of 2^18 symbols and more.
Bytes wide64_field_seed() {
  lcl::Workspace workspace;
  const lcl::quant::FieldScratchScope scope(workspace);
  const size_t count = (size_t{1} << 12) - 1;
  std::vector<uint8_t> contexts(count);
  std::vector<uint16_t> symbols(count);
  uint32_t state = 5;
  for (size_t i = 0; i < count; ++i) {
    contexts[i] = static_cast<uint8_t>(i % 3);
    state = state * 1103515245u + 12345u;
    // Geometric-like: the count of low zero bits of a pseudo-random word, spread by the context.
    const uint32_t word = (state >> 8) | 0x800000u;
    symbols[i] = static_cast<uint16_t>(
        std::min<uint32_t>(static_cast<uint32_t>(__builtin_ctz(word)) * (contexts[i] + 1), 31));
  }
  Bytes seed = {31, 2, 12};
  lcl::ByteWriter w(seed);
  const lcl::quant::WideFieldThreshold wide64(1);
  lcl::quant::write_field(w, symbols, contexts, {32, 3});
  return seed;
}

// fuzz_quant_codecs: selector (even: decode; (selector >> 1) % 5 picks the codec), block count,
// then a payload of that many blocks; odd selectors take raw blocks to encode.
Bytes quant_seed(uint8_t selector, const lcl::Codec& codec, lcl::TypeId type, size_t block_bytes,
                 const Bytes& blocks) {
  const size_t count = std::min<size_t>(blocks.size() / block_bytes, 64);
  Bytes input(blocks.begin(), blocks.begin() + static_cast<ptrdiff_t>(count * block_bytes));
  Bytes seed = {selector, static_cast<uint8_t>(count)};
  Bytes body = (selector & 1) ? input : encode_with(codec, type, input);
  seed.insert(seed.end(), body.begin(), body.end());
  return seed;
}

// fuzz_rans: u16 symbol count, u8 mode (bit 0 contexts, bit 1 compact tables), tables, stream.
Bytes rans_seed(uint8_t mode, const Bytes& data) {
  const bool contexts = mode & 1;
  // Symbols: the high bytes of bf16 weights (a real, skewed distribution); with contexts the
  // fuzzer's context pattern (i * 7) % 3 leaves only two symbols without the table-less context.
  std::vector<uint16_t> symbols;
  for (size_t i = 1; i < data.size(); i += 2) symbols.push_back(data[i]);
  if (contexts) symbols.resize(2);
  std::vector<uint64_t> counts(256, 0);
  for (uint16_t s : symbols) ++counts[s];
  Bytes seed;
  lcl::ByteWriter w(seed);
  w.u16(static_cast<uint16_t>(symbols.size()));
  w.u8(mode);
  std::vector<lcl::entropy::FrequencyTable> tables;
  for (int t = 0; t < (contexts ? 2 : 1); ++t) {
    if (mode & 2) {
      auto compact = lcl::entropy::make_compact_table(counts, 12);
      lcl::entropy::write_compact_table(compact, w);
      tables.push_back(compact.table);
    } else {
      tables.push_back(lcl::entropy::normalize_frequencies(counts, 12));
      lcl::entropy::write_frequency_table(tables.back(), w);
    }
  }
  if (contexts) {
    std::vector<uint8_t> ctx = {0, 1};
    lcl::entropy::rans_encode_contexts(symbols, ctx, tables, seed);
  } else {
    lcl::entropy::rans_encode(symbols, tables[0], seed);
  }
  return seed;
}

// A fuzz_delta input (u16 size, u8 reference seed, u8 0, payload): `blocks` blocks of a ggml
// type with about one byte in eight moved by one from the reference, scattered so that the
// ggml-blocks payload of the differences takes its field mode rather than zstd.
Bytes delta_blocks_seed(lcl::TypeId type, size_t block_bytes, size_t blocks, uint8_t seed) {
  const size_t size = blocks * block_bytes;
  const Bytes reference = lcl::fuzz::delta_reference(seed, size);
  Bytes tuned = reference;
  uint32_t x = 2463534242u + seed;
  for (size_t i = 0; i < size; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    if ((x & 7) == 0) tuned[i] = static_cast<uint8_t>(tuned[i] + ((x >> 3) & 1 ? 1 : -1));
  }
  Bytes out = {static_cast<uint8_t>(size), static_cast<uint8_t>(size >> 8), seed, 0};
  lcl::delta_format::encode_delta(tuned, reference, {0, 0, size}, type, out);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_fuzz_seeds SOURCE_DIR OUT_DIR\n";
    return 2;
  }
  try {
    const fs::path source = argv[1], out = argv[2];
    const fs::path scratch = fs::temp_directory_path() / "lcl-fuzz-seeds";
    fs::create_directories(scratch);
    const Slices s = read_slices(source);
    const Bytes st = small_safetensors(s), gguf = small_gguf(s);

    write_seed(out / "fuzz_safetensors", "small.safetensors", st);
    write_seed(out / "fuzz_gguf", "small.gguf", gguf);
    write_seed(
        out / "fuzz_gguf", "header-only.gguf",
        lcl::test::GgufBuilder().kv_u32("general.alignment", 64).kv_string("k", "v").build().bytes);

    write_seed(out / "fuzz_container", "safetensors.lcl",
               compress(st, "small.safetensors", scratch));
    write_seed(out / "fuzz_container", "gguf.lcl", compress(gguf, "small.gguf", scratch));
    write_seed(out / "fuzz_container", "stored.lcl",
               compress(Bytes(st.begin(), st.begin() + 3000), "head.bin", scratch, true));
    // Copy chunks and kept frames: the golden tied-embedding archive.
    write_seed(out / "fuzz_container", "tied-copy.lcl",
               read_file(source / "tests/golden/tiny-tied.safetensors.copy.lcl"));

    write_seed(out / "fuzz_float", "bf16", float_seed(lcl::type::kBF16, s.bf16));
    write_seed(out / "fuzz_float", "f32", float_seed(lcl::type::kF32, s.f32));
    write_seed(out / "fuzz_float", "f16", float_seed(lcl::type::kF16, s.f16));
    const Bytes fp8 = tensor_bytes(read_file(source / "tests/golden/tiny-fp8.safetensors"),
                                   "token_embd.weight", 900);
    write_seed(out / "fuzz_float", "fp8-e4m3-lanes64",
               fp8_seed(fp8, lcl::fp8_format::kVersionLanes64));
    write_seed(out / "fuzz_quant_fields", "wide64", wide64_field_seed());

    // Selectors: (selector >> 1) % 5 = 0 q4k, 1 q6k, 2 q8_0, 3 ggml-blocks (layout by
    // (selector >> 3)), 4 segments.
    write_seed(out / "fuzz_quant_codecs", "q4k",
               quant_seed(0, lcl::q4k_codec(), lcl::type::kQ4_K, 144, s.q4k));
    write_seed(out / "fuzz_quant_codecs", "q6k",
               quant_seed(2, lcl::q6k_codec(), lcl::type::kQ6_K, 210, s.q6k));
    if (!s.q8_0.empty())
      write_seed(out / "fuzz_quant_codecs", "q8_0",
                 quant_seed(4, lcl::q8_0_codec(), lcl::type::kQ8_0, 34, s.q8_0));
    write_seed(out / "fuzz_quant_codecs", "segments",
               quant_seed(8, lcl::segments_codec(), lcl::type::kQ4_K, 1, s.q4k));
    write_seed(out / "fuzz_quant_codecs", "q4k-encode",
               quant_seed(1, lcl::q4k_codec(), lcl::type::kQ4_K, 144, s.q4k));

    write_seed(out / "fuzz_delta", "blocks-q4k", delta_blocks_seed(lcl::type::kQ4_K, 144, 12, 1));
    write_seed(out / "fuzz_delta", "blocks-q8_0", delta_blocks_seed(lcl::type::kQ8_0, 34, 60, 2));
    write_seed(out / "fuzz_delta", "blocks-q4_0", delta_blocks_seed(lcl::type::kQ4_0, 18, 100, 3));

    write_seed(out / "fuzz_rans", "plain", rans_seed(0, s.bf16));
    write_seed(out / "fuzz_rans", "compact", rans_seed(2, s.bf16));
    write_seed(out / "fuzz_rans", "contexts", rans_seed(1, s.bf16));
    fs::remove_all(scratch);
  } catch (const std::exception& e) {
    std::cerr << "make_fuzz_seeds: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
