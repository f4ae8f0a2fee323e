// Whole-file methods: "lcl" is what `lcl compress` writes (same bytes), its per-tensor rows add up
// to the tensors' chunks, and the GGUF decomposer and its ablation variants roundtrip.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>

#include "bench/runner.hpp"
#include "bench/whole_file_methods.hpp"
#include "bench_fixture.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"

namespace lcl::bench {
namespace {

using test::TempDir;

std::vector<uint8_t> read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Blocks with a plausible f16 scale and random quant bytes.
std::vector<uint8_t> blocks(size_t count, size_t block_bytes, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(count * block_bytes);
  for (auto& b : out) b = static_cast<uint8_t>(rng() & 0x77);
  for (size_t i = 0; i < count; ++i) {
    out[i * block_bytes] = static_cast<uint8_t>(rng());
    out[i * block_bytes + 1] = 0x1c;  // f16 exponent of ~0.005
  }
  return out;
}

// A GGUF with Q4_K, Q8_0, Q6_K and F32 tensors.
std::vector<uint8_t> quantized_gguf(const std::string& name = "") {
  test::GgufBuilder gguf;
  gguf.kv_string("general.architecture", "llama");
  if (!name.empty()) gguf.kv_string("general.name", name);
  gguf.tensor({"blk.0.attn_q.weight", 12, {256, 8}, blocks(8, 144, 1)});
  gguf.tensor({"blk.0.ffn_down.weight", 8, {32, 20}, blocks(20, 34, 2)});
  gguf.tensor({"blk.0.attn_v.weight", 14, {256, 3}, blocks(3, 210, 3)});
  std::vector<uint8_t> f32(4 * 64);
  for (size_t i = 0; i < f32.size(); ++i) f32[i] = static_cast<uint8_t>(i * 13 % 11);
  gguf.tensor({"blk.0.attn_norm.weight", 0, {64}, f32});
  return gguf.build().bytes;
}

TEST(WholeFile, LclMethodWritesExactlyWhatCompressWrites) {
  TempDir dir;
  test::write_tiny_corpus(dir / "corpus");
  const auto file = dir / "corpus" / "model-a" / "model.safetensors";
  CompressOptions options;
  options.threads = 1;
  compress_file(file, dir / "a.lcl", options);
  auto original = read_file(file);
  auto method = make_lcl_file_method();
  TensorInfo info{"model.safetensors", type::kOpaque, {original.size()}};
  std::vector<uint8_t> payload;
  ResultRow row = measure(*method, original, info, &payload);
  ASSERT_TRUE(row.roundtrip_ok) << row.error;
  EXPECT_EQ(payload, read_file(dir / "a.lcl"));  // byte for byte
  EXPECT_EQ(row.compressed_bytes, std::filesystem::file_size(dir / "a.lcl"));

  auto parts = method->tensor_parts(payload, original, row.encode_seconds);
  ASSERT_EQ(parts.size(), 3u);
  uint64_t tensor_bytes = 0, compressed = 0;
  for (const auto& p : parts) {
    EXPECT_TRUE(p.roundtrip_ok) << p.name << ": " << p.error;
    EXPECT_GT(p.compressed_bytes, 0u);
    tensor_bytes += p.original_bytes;
    compressed += p.compressed_bytes;
  }
  EXPECT_LT(compressed, row.compressed_bytes);  // header, metadata and index are the file's
  EXPECT_EQ(tensor_bytes, 2u * (2 * 32 * 64 + 64));
  // A damaged archive throws; it never decodes to other bytes silently.
  std::vector<uint8_t> out(original.size());
  EXPECT_THROW(method->decompress(std::span(payload).first(payload.size() / 2), info, out), Error);
}

TEST(WholeFile, BenchLclRowsPerTensorMatchTheArchive) {
  TempDir dir;
  test::write_tiny_corpus(dir / "corpus");
  test::write_file(dir / "corpus" / "model-c" / "q.gguf", quantized_gguf());
  BenchOptions options;
  options.corpus_dirs = {dir / "corpus"};
  options.methods = {"lcl"};
  options.out = dir / "r.jsonl.zst";
  options.threads = 2;
  auto report = run_bench(options);
  EXPECT_EQ(report.roundtrip_failures, 0u);
  std::map<std::string, uint64_t> file_bytes, tensor_bytes;
  for (const auto& row : read_results(options.out)) {
    EXPECT_TRUE(row.roundtrip_ok) << row.file << " " << row.tensor << ": " << row.error;
    if (row.tensor.empty()) {
      EXPECT_EQ(row.dtype, "file");
      file_bytes[row.model + "/" + row.file] = row.compressed_bytes;
    } else {
      EXPECT_NE(row.dtype, "");
      tensor_bytes[row.model + "/" + row.file] += row.compressed_bytes;
    }
  }
  ASSERT_EQ(file_bytes.size(), 4u);
  for (const auto& [file, bytes] : file_bytes) {
    EXPECT_GT(tensor_bytes[file], 0u) << file;
    EXPECT_LT(tensor_bytes[file], bytes) << file;
  }
}

TEST(WholeFile, DecomposerAndAblationVariantsRoundtrip) {
  auto gguf = quantized_gguf();
  TensorInfo info{"q.gguf", type::kOpaque, {gguf.size()}};
  std::vector<std::unique_ptr<Method>> methods;
  methods.push_back(make_gguf_decomposer({}));
  for (auto& m : whole_file_ablation_methods()) methods.push_back(std::move(m));
  std::vector<std::string> names;
  for (const auto& m : methods) {
    names.push_back(m->name());
    EXPECT_TRUE(m->applies_to(info));
    EXPECT_FALSE(m->applies_to(TensorInfo{"model.safetensors", type::kOpaque, {}}));
    auto row = measure(*m, gguf, info);
    EXPECT_TRUE(row.roundtrip_ok) << m->name() << ": " << row.error;
    EXPECT_LT(row.compressed_bytes, gguf.size()) << m->name();
    auto payload = m->compress(gguf, info);
    std::vector<uint8_t> out(gguf.size());
    for (size_t cut : {size_t{0}, size_t{3}, payload.size() / 2, payload.size() - 1})
      EXPECT_THROW(m->decompress(std::span(payload).first(cut), info, out), Error)
          << m->name() << " cut at " << cut;
    std::vector<uint8_t> shorter(gguf.size() - 1);
    EXPECT_THROW(m->decompress(payload, info, shorter), Error) << m->name();
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"decomp_perstream_zstd19_bg", "decomp_perstream_zstd3_bg",
                                      "decomp_perstream_zstd19", "decomp_perfile_zstd19_bg"}));
}

}  // namespace
}  // namespace lcl::bench
