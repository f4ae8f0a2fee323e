// What the writer accepts the reader reads: tensors beyond the index's limits travel as opaque
// bytes, tensors of unknown types keep an index entry, tensors stream out chunk by chunk, and
// constant tensors cost almost nothing.
#include <gtest/gtest.h>

#include "container/format.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "support/file_utils.hpp"
#include "support/model_builders.hpp"
#include "support/test_paths.hpp"
#include "util/thread_pool.hpp"

namespace lcl {
namespace {

using test::TempDir;

// Compresses `file`, checks the archive opens and decodes to the same bytes; returns the result.
CompressResult compress_and_check(const std::filesystem::path& file,
                                  const std::filesystem::path& out,
                                  uint64_t chunk_size = 4u << 20) {
  CompressOptions options;
  options.threads = 2;
  options.plan.chunk_size = chunk_size;
  CompressResult result = compress_file(file, out, options);
  auto archive = Archive::open(out);  // the reader accepts what the writer wrote
  std::vector<uint8_t> decoded(archive->index().original_size);
  archive->decode_all(2, [&](uint64_t offset, std::span<const uint8_t> bytes) {
    std::copy(bytes.begin(), bytes.end(), decoded.begin() + static_cast<ptrdiff_t>(offset));
  });
  EXPECT_EQ(decoded, test::read_file(file));
  return result;
}

bool has_tensor(const Archive& archive, const std::string& name) {
  for (const TensorEntry& t : archive.index().tensors)
    if (t.info.name == name) return true;
  return false;
}

TEST(WriterLimits, TensorsTheIndexCannotHoldBecomeOpaqueBytes) {
  TempDir dir;
  const std::string long_name(70000, 'n');
  auto file = test::build_safetensors({
      {"dims17", "U8", std::vector<uint64_t>(17, 1), {7}},
      {long_name, "BF16", {4}, test::pattern_bytes(8)},
      {"fine", "BF16", {8}, test::pattern_bytes(16)},
  });
  test::write_file(dir / "m.safetensors", file);
  CompressResult result = compress_and_check(dir / "m.safetensors", dir / "m.lcl");
  ASSERT_EQ(result.warnings.size(), 2u);
  std::string warnings = result.warnings[0] + result.warnings[1];
  EXPECT_NE(warnings.find("17 dimensions"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("70000 bytes"), std::string::npos) << warnings;
  auto archive = Archive::open(dir / "m.lcl");
  EXPECT_FALSE(has_tensor(*archive, "dims17"));
  EXPECT_FALSE(has_tensor(*archive, long_name));
  EXPECT_EQ(archive->read_tensor("fine"), test::pattern_bytes(16));
  // The limits are the reader's: the largest accepted values still get entries.
  auto edge = test::build_safetensors({
      {std::string(container::kMaxNameLength, 'e'), "U8", {2}, {1, 2}},
      {"dims16", "U8", std::vector<uint64_t>(container::kMaxDims, 1), {3}},
  });
  test::write_file(dir / "edge.safetensors", edge);
  EXPECT_TRUE(compress_and_check(dir / "edge.safetensors", dir / "edge.lcl").warnings.empty());
  auto edge_archive = Archive::open(dir / "edge.lcl");
  EXPECT_TRUE(has_tensor(*edge_archive, "dims16"));
  EXPECT_EQ(edge_archive->index().tensors.size(), 2u);
}

TEST(WriterLimits, TensorsOfUnknownTypesKeepAnEntry) {
  TempDir dir;
  auto built = test::GgufBuilder()
                   .tensor({"q2_0_weight", 42, {64}, test::pattern_bytes(18)})
                   .tensor({"known", type::kF32, {8}, test::pattern_bytes(32)})
                   .build();
  test::write_file(dir / "m.gguf", built.bytes);
  compress_and_check(dir / "m.gguf", dir / "m.lcl");
  auto archive = Archive::open(dir / "m.lcl");
  const TensorEntry& mystery = archive->find_tensor("q2_0_weight");
  EXPECT_EQ(mystery.info.type, 42u);
  EXPECT_EQ(mystery.original_offset, built.tensor_offsets[0]);
  // Its extent runs to the next tensor: the 18 bytes and the alignment padding after them.
  EXPECT_EQ(mystery.original_size, built.tensor_offsets[1] - built.tensor_offsets[0]);
  auto bytes = archive->read_tensor("q2_0_weight");
  EXPECT_TRUE(std::equal(bytes.begin(), bytes.begin() + 18, test::pattern_bytes(18).begin()));
}

TEST(StreamingTensorRead, ChunkByChunkInOrder) {
  TempDir dir;
  // A tensor over many small chunks, between two others.
  auto big = test::skewed_bytes(600000, 11);
  auto file = test::build_safetensors({{"a", "U8", {5}, test::pattern_bytes(5)},
                                       {"big", "U8", {big.size()}, big},
                                       {"z", "U8", {3}, test::pattern_bytes(3)}});
  test::write_file(dir / "m.safetensors", file);
  compress_and_check(dir / "m.safetensors", dir / "m.lcl", 64 << 10);
  auto archive = Archive::open(dir / "m.lcl");
  ASSERT_GT(archive->find_tensor("big").chunk_count, 8u);
  for (unsigned threads : {1u, 3u}) {
    std::vector<uint8_t> streamed;
    size_t pieces = 0;
    archive->read_tensor_to(
        "big",
        [&](std::span<const uint8_t> bytes) {
          streamed.insert(streamed.end(), bytes.begin(), bytes.end());
          ++pieces;
        },
        threads);
    EXPECT_EQ(streamed, big);
    EXPECT_EQ(pieces, archive->find_tensor("big").chunk_count);
  }
  EXPECT_EQ(archive->read_tensor("a"), test::pattern_bytes(5));
  EXPECT_THROW(archive->read_tensor_to("nope", [](std::span<const uint8_t>) {}), Error);
}

TEST(ThreadLimit, RequestsAreCapped) {
  EXPECT_LE(max_threads(), kMaxThreads);
  EXPECT_GE(max_threads(), 1u);
  EXPECT_EQ(resolve_threads(1), 1u);
  EXPECT_EQ(resolve_threads(1u << 30), max_threads());
  EXPECT_LE(resolve_threads(0), max_threads());
}

// Constant and nearly constant tensors: zstd wins their chunks, the archive is a sliver.
TEST(ConstantTensors, CodeToAlmostNothing) {
  TempDir dir;
  const size_t n = 8u << 20;  // 8 MiB of bf16, two 4 MiB chunks
  std::vector<uint8_t> zeros(n, 0);
  std::vector<uint8_t> mostly = zeros;
  for (size_t i = 0; i < n; i += 4099) mostly[i] = static_cast<uint8_t>(i >> 3);
  auto file = test::build_safetensors(
      {{"zeros", "BF16", {n / 2}, zeros}, {"mostly", "BF16", {n / 2}, mostly}});
  test::write_file(dir / "c.safetensors", file);
  CompressResult result = compress_and_check(dir / "c.safetensors", dir / "c.lcl");
  // Measured: 16x for the zeros alone before zstd competed for large chunks.
  EXPECT_LT(result.compressed_size, file.size() / 500) << result.compressed_size;
}

}  // namespace
}  // namespace lcl
