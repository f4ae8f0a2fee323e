// Scratch memory belongs to the caller: once compress(), decompress() and an Archive's reads of an
// archive in memory are done, the heap holds what it held before, so a process that embeds
// liblcl gets its memory back (no per-thread or global buffer outlives the call).
#include <gtest/gtest.h>
#include <malloc.h>

#include <bit>
#include <cstring>
#include <random>

#include "lcl/codec.hpp"
#include "lcl/container.hpp"
#include "lcl/sink.hpp"
#include "lcl/source.hpp"
#include "support/model_builders.hpp"

namespace lcl {
namespace {

// Bytes the process's allocator has handed out and not had back, mmapped blocks included (the
// chunk-sized buffers are large enough to be mmapped).
size_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

std::vector<uint8_t> bf16_weights(size_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> weight(0.0f, 0.02f);
  std::vector<uint8_t> bytes(2 * count);
  for (size_t i = 0; i < count; ++i) {
    const auto bf16 = static_cast<uint16_t>(std::bit_cast<uint32_t>(weight(rng)) >> 16);
    std::memcpy(&bytes[2 * i], &bf16, 2);
  }
  return bytes;
}

std::vector<uint8_t> model_file(size_t weights) {
  std::vector<uint8_t> norm(4096, 0);  // a small F32 tensor of repeats: zstd's trial wins it
  for (size_t i = 0; i < norm.size(); i += 4) norm[i + 3] = 0x3f;
  return test::build_safetensors(
      {{"embed", "BF16", {weights / 1024, 1024}, bf16_weights(weights, 1)},
       {"norm", "F32", {1024}, norm}});
}

std::vector<uint8_t> workspace_archive_of(const std::vector<uint8_t>& file) {
  std::vector<uint8_t> archive;
  MemorySink sink(archive);
  CompressOptions options;
  options.threads = 1;  // on the calling thread
  options.verify_chunks = true;
  compress(MemorySource(file), sink, options, "model.safetensors");
  return archive;
}

DecompressOptions on_calling_thread() {
  DecompressOptions options;
  options.threads = 1;
  return options;
}

// AddressSanitizer replaces malloc, and its allocator does not report through mallinfo2.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kMallinfoCountsAllocations = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kMallinfoCountsAllocations = false;
#else
constexpr bool kMallinfoCountsAllocations = true;
#endif
#else
constexpr bool kMallinfoCountsAllocations = true;
#endif

TEST(WorkspaceMemory, CompressDecompressAndReadsGiveTheHeapBack) {
  if (!kMallinfoCountsAllocations) GTEST_SKIP() << "mallinfo2 does not see the sanitizer's heap";
  // A small warm-up first: one-time state (registries, the allocator's own bookkeeping) is not
  // what this checks. The measured file has 4 MiB chunks, whose scratch is several MiB.
  const std::vector<uint8_t> small = model_file(16 * 1024);
  const std::vector<uint8_t> small_archive = workspace_archive_of(small);
  const std::vector<uint8_t> file = model_file(3 * 1024 * 1024);  // 6 MiB of BF16: 2 chunks
  std::vector<uint8_t> archive;
  archive.reserve(file.size());
  std::vector<uint8_t> original;
  original.reserve(file.size());
  std::vector<uint8_t> tensor(file.size());
  {
    auto warm = Archive::open(small_archive);
    std::vector<uint8_t> out;
    MemorySink sink(out);
    decompress(*warm, sink, on_calling_thread());
    warm->read_tensor("embed");
  }
  constexpr size_t kSlack = 64 * 1024;  // far below one chunk's scratch

  // The measure sees scratch memory: a workspace that coded a chunk holds MiBs until it goes.
  size_t before = heap_in_use();
  {
    Workspace workspace;
    EncodeContext context;
    context.type = type::kBF16;
    std::vector<uint8_t> payload;
    payload.reserve(file.size());
    const std::span<const uint8_t> chunk(file.data() + file.size() - (4u << 20), 4u << 20);
    const size_t reserved = heap_in_use();
    find_codec(codec_id::kFloat)->encode(chunk, context, payload, workspace);
    EXPECT_GT(heap_in_use(), reserved + (1u << 20)) << "a workspace's buffers are not seen";
  }
  EXPECT_LE(heap_in_use(), before + kSlack) << "a destroyed workspace kept memory";

  before = heap_in_use();
  {
    MemorySink sink(archive);
    CompressOptions options;
    options.threads = 1;
    options.verify_chunks = true;
    compress(MemorySource(file), sink, options, "model.safetensors");
  }
  EXPECT_LE(heap_in_use(), before + kSlack) << "compress kept memory";

  before = heap_in_use();
  {
    auto opened = Archive::open(archive);
    MemorySink sink(original);
    decompress(*opened, sink, on_calling_thread());
  }
  EXPECT_LE(heap_in_use(), before + kSlack) << "decompress kept memory";
  EXPECT_EQ(original, file);

  before = heap_in_use();
  {
    auto opened = Archive::open(archive);
    const size_t index = *opened->tensor_index("embed");
    std::span<uint8_t> out(tensor.data(), opened->index().tensors[index].original_size);
    opened->read_tensor_into(index, out, 1);
  }
  EXPECT_LE(heap_in_use(), before + kSlack) << "read_tensor_into kept memory";
}

}  // namespace
}  // namespace lcl
