// Copy chunks: a tensor identical to an earlier tensor of the file (tied embeddings, a duplicated
// layer) is written as copies of the earlier tensor's chunks, decodes byte-exact through every
// reader (at random with any thread count, front to back from a stream, one tensor at a time),
// and hostile copies (of themselves, of a later chunk, of another copy, of a chunk out of range,
// of bytes beyond the chunk named or of a frame not kept) are rejected.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "container/archive_writer.hpp"
#include "container/format.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "support/file_utils.hpp"
#include "support/finetune_pair.hpp"
#include "support/model_builders.hpp"

namespace lcl {
namespace {

std::vector<uint8_t> random_bf16(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> out(2 * n);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t w = test::random_weight_bits(rng, 2, false);
    out[2 * i] = static_cast<uint8_t>(w);
    out[2 * i + 1] = static_cast<uint8_t>(w >> 8);
  }
  return out;
}

std::vector<uint8_t> compress_bytes(const std::vector<uint8_t>& file, uint64_t chunk_size) {
  MemorySource source(file, "model.safetensors");
  VectorSink sink;
  CompressOptions options;
  options.threads = 2;
  options.plan.chunk_size = chunk_size;
  compress(source, sink, options, "model.safetensors");
  return std::move(sink.bytes());
}

size_t count_codec(const Archive& archive, CodecId codec) {
  return static_cast<size_t>(std::count_if(archive.index().chunks.begin(),
                                           archive.index().chunks.end(),
                                           [&](const ChunkEntry& c) { return c.codec == codec; }));
}

// Every reader gives back `expected`: decode_all with 1 and 4 threads, a stream read in small
// pieces, and each tensor on its own.
void expect_decodes_to(const std::vector<uint8_t>& lcl, const std::vector<uint8_t>& expected) {
  auto archive = Archive::open(lcl);
  for (unsigned threads : {1u, 4u}) {
    std::vector<uint8_t> decoded(archive->index().original_size);
    archive->decode_all(threads, [&](uint64_t offset, std::span<const uint8_t> bytes) {
      std::copy(bytes.begin(), bytes.end(), decoded.begin() + static_cast<ptrdiff_t>(offset));
    });
    EXPECT_EQ(decoded, expected) << threads << " threads";
  }
  MemoryInputStream in(lcl, 777);
  VectorSink sink;
  decompress_stream(in, sink, DecompressOptions{3, {}});
  EXPECT_EQ(sink.bytes(), expected);
  for (const TensorEntry& t : archive->index().tensors) {
    std::vector<uint8_t> bytes(t.original_size);
    archive->read_tensor_into(*archive->tensor_index(t.info.name), bytes, 2);
    EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(),
                           expected.begin() + static_cast<ptrdiff_t>(t.original_offset)))
        << t.info.name;
  }
}

struct Checkpoint {
  // With exact copies, with each copy one bit off, and without the copied tensors.
  std::vector<uint8_t> identical, differs, without;
};

// Tied input and output embeddings at the two ends of the file and a duplicated layer between.
Checkpoint tied_checkpoint(size_t embed_elements, size_t layer_elements) {
  const auto embed = random_bf16(embed_elements, 1);
  const auto layer = random_bf16(layer_elements, 2);
  const auto other = random_bf16(layer_elements, 3);
  const auto norm = random_bf16(512, 4);
  const std::vector<uint64_t> embed_shape = {embed_elements / 64, 64};
  const std::vector<uint64_t> layer_shape = {layer_elements / 64, 64};
  auto file = [&](const std::vector<uint8_t>* layer_copy, const std::vector<uint8_t>* lm_head) {
    std::vector<test::SafetensorsTensor> tensors = {{"embed", "BF16", embed_shape, embed},
                                                    {"layers.0.norm", "BF16", {512}, norm},
                                                    {"layers.0.proj", "BF16", layer_shape, layer},
                                                    {"layers.1.norm", "BF16", {512}, norm}};
    if (layer_copy) tensors.push_back({"layers.1.proj", "BF16", layer_shape, *layer_copy});
    tensors.push_back({"layers.2.proj", "BF16", layer_shape, other});
    if (lm_head) tensors.push_back({"lm_head", "BF16", embed_shape, *lm_head});
    return test::build_safetensors(tensors);
  };
  auto embed_off = embed, layer_off = layer;
  embed_off.back() ^= 1;
  layer_off.back() ^= 1;
  return {file(&layer, &embed), file(&layer_off, &embed_off), file(nullptr, nullptr)};
}

// The copies cost a few bytes: the archive is about as small as that of the file without the
// copied tensors, and smaller than one whose copies differ by a bit by nearly all that those two
// tensors cost.
void expect_copies_cost_little(const Checkpoint& c, uint64_t chunk_size, size_t expected_copies) {
  const auto with_copies = compress_bytes(c.identical, chunk_size);
  const auto differs = compress_bytes(c.differs, chunk_size);
  const auto without = compress_bytes(c.without, chunk_size);
  expect_decodes_to(with_copies, c.identical);
  expect_decodes_to(differs, c.differs);
  EXPECT_EQ(count_codec(*Archive::open(with_copies), codec_id::kCopy), expected_copies);
  EXPECT_EQ(count_codec(*Archive::open(differs), codec_id::kCopy), 0u);
  const double cost = static_cast<double>(differs.size()) - static_cast<double>(without.size());
  const double saved =
      static_cast<double>(differs.size()) - static_cast<double>(with_copies.size());
  EXPECT_GT(saved, 0.98 * cost);
}

TEST(CopyChunks, TensorsInARunOfSmallTensorsBecomeCopies) {
  // 32 KiB and 64 KiB tensors share a 4 MiB run: the copies and their originals are cut out.
  expect_copies_cost_little(tied_checkpoint(16384, 32768), 4u << 20, 2);
}

TEST(CopyChunks, TensorsOfSeveralChunksBecomeOneCopyPerChunk) {
  // 16 KiB chunks: 2 per embedding, 4 per layer.
  expect_copies_cost_little(tied_checkpoint(16384, 32768), 16384, 6);
}

TEST(CopyChunks, ManyCopiesOfPartsOfOneChunkInterleaved) {
  // Two 32 KiB tensors in one 4 MiB run, each repeated five times, the repeats alternating and
  // separated by distinct tensors: the readers serve copies of either from the bytes they keep of
  // the chunk they last copied from, or decode it again.
  const auto a = random_bf16(16384, 11), b = random_bf16(16384, 12);
  std::vector<test::SafetensorsTensor> tensors = {{"a", "BF16", {256, 64}, a},
                                                  {"b", "BF16", {256, 64}, b}};
  for (int r = 0; r < 5; ++r) {
    tensors.push_back({"copy_a." + std::to_string(r), "BF16", {256, 64}, a});
    tensors.push_back({"other." + std::to_string(r), "BF16", {4096}, random_bf16(4096, 20 + r)});
    tensors.push_back({"copy_b." + std::to_string(r), "BF16", {256, 64}, b});
  }
  const auto file = test::build_safetensors(tensors);
  const auto lcl = compress_bytes(file, 4u << 20);
  EXPECT_EQ(count_codec(*Archive::open(lcl), codec_id::kCopy), 10u);
  expect_decodes_to(lcl, file);
}

// ------------------------------------------------------------------ hostile copies

struct RawChunk {
  CodecId codec;
  std::vector<uint8_t> payload;
  std::vector<uint8_t> original;
  bool kept = false;
};

// An archive of the given chunks as they are, whatever they say (the writer checks only the
// index's own consistency).
std::vector<uint8_t> raw_archive(const std::vector<RawChunk>& chunks) {
  VectorSink sink;
  container::ArchiveWriter writer(sink);
  std::vector<uint8_t> whole;
  for (const RawChunk& c : chunks) {
    ChunkEntry entry;
    entry.codec = c.codec;
    entry.original_size = c.original.size();
    entry.checksum = container::content_checksum(container::kFormatVersion, c.original);
    writer.add_chunk(entry, c.payload, c.kept);
    whole.insert(whole.end(), c.original.begin(), c.original.end());
  }
  ArchiveIndex index;
  index.source_name = "raw";
  index.original_checksum = container::content_checksum(container::kFormatVersion, whole);
  writer.finish(std::move(index));
  return std::move(sink.bytes());
}

RawChunk stored(const std::vector<uint8_t>& bytes, bool kept = true) {
  return {codec_id::kStore, bytes, bytes, kept};
}

void put_varint(std::vector<uint8_t>& out, uint64_t v) {
  for (; v >= 0x80; v >>= 7) out.push_back(static_cast<uint8_t>(v | 0x80));
  out.push_back(static_cast<uint8_t>(v));
}

RawChunk copy_of(uint64_t source, const std::vector<uint8_t>& bytes, uint64_t offset = 0) {
  std::vector<uint8_t> payload = {1};
  put_varint(payload, source);
  put_varint(payload, offset);
  return {codec_id::kCopy, payload, bytes, false};
}

// Both readers reject the archive as corrupt, and write nothing.
void expect_rejected(const std::vector<uint8_t>& lcl) {
  auto archive = Archive::open(lcl);
  EXPECT_THROW(archive->decode_all(2, [](uint64_t, std::span<const uint8_t>) {}), Error);
  try {
    archive->decode_all(1, [](uint64_t, std::span<const uint8_t>) {});
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput) << e.what();
  }
  MemoryInputStream in(lcl, 100);
  VectorSink sink;
  try {
    decompress_stream(in, sink, DecompressOptions{2, {}});
    ADD_FAILURE() << "the stream reader accepted it";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput) << e.what();
  }
}

TEST(CopyChunks, ValidRawCopyDecodes) {
  const auto a = test::random_bytes(5000, 1);
  const auto b = test::random_bytes(3000, 2);
  const std::vector<uint8_t> part(a.begin() + 1000, a.begin() + 1700);
  const auto lcl =
      raw_archive({stored(a), stored(b, false), copy_of(0, a), copy_of(0, part, 1000)});
  std::vector<uint8_t> whole = a;
  whole.insert(whole.end(), b.begin(), b.end());
  whole.insert(whole.end(), a.begin(), a.end());
  whole.insert(whole.end(), part.begin(), part.end());
  expect_decodes_to(lcl, whole);
}

TEST(CopyChunks, HostileCopiesAreRejected) {
  const auto a = test::random_bytes(5000, 1);
  const auto b = test::random_bytes(3000, 2);
  SCOPED_TRACE("self");
  expect_rejected(raw_archive({stored(a), copy_of(1, a)}));
  SCOPED_TRACE("forward");
  expect_rejected(raw_archive({stored(a), copy_of(2, a), stored(a)}));
  SCOPED_TRACE("out of range");
  expect_rejected(raw_archive({stored(a), copy_of(uint64_t{1} << 40, a)}));
  expect_rejected(raw_archive({stored(a), copy_of(~uint64_t{0}, a)}));
  SCOPED_TRACE("copy of a copy");
  expect_rejected(raw_archive({stored(a), copy_of(0, a), copy_of(1, a)}));
  SCOPED_TRACE("a range beyond the chunk named");
  expect_rejected(raw_archive({stored(a), copy_of(0, b, a.size() - b.size() + 1)}));
  expect_rejected(raw_archive({stored(b), copy_of(0, a)}));
  expect_rejected(raw_archive({stored(a), copy_of(0, b, ~uint64_t{0} - 10)}));
  SCOPED_TRACE("not a kept frame");
  expect_rejected(raw_archive({stored(a, false), copy_of(0, a)}));
  SCOPED_TRACE("bytes that are not the copy's");
  expect_rejected(raw_archive({stored(a), stored(b), copy_of(1, std::vector<uint8_t>(b.size()))}));
  SCOPED_TRACE("payload version, trailing bytes, truncation");
  RawChunk bad = copy_of(0, a);
  bad.payload[0] = 2;
  expect_rejected(raw_archive({stored(a), bad}));
  bad = copy_of(0, a);
  bad.payload.push_back(0);
  expect_rejected(raw_archive({stored(a), bad}));
  bad = copy_of(0, a);
  bad.payload.pop_back();
  expect_rejected(raw_archive({stored(a), bad}));
}

}  // namespace
}  // namespace lcl
