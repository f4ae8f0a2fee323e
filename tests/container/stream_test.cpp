// Format version 2 front to back: compress from a stream of unknown size, decode from a stream
// that cannot seek, and every way a stream can be cut or corrupted is an lcl::Error.
#include <gtest/gtest.h>

#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "support/file_utils.hpp"
#include "support/model_builders.hpp"
#include "support/test_paths.hpp"

namespace lcl {
namespace {

CompressOptions stream_options() {
  CompressOptions o;
  o.threads = 2;
  o.plan.chunk_size = 16 << 10;
  o.verify_chunks = true;
  return o;
}

std::vector<uint8_t> compress_bytes(const std::vector<uint8_t>& original,
                                    const CompressOptions& options = stream_options()) {
  MemorySource source(original, "original");
  VectorSink sink;
  compress(source, sink, options, "original");
  return std::move(sink.bytes());
}

// Compressed from a stream that hands out `piece` bytes per read, as a pipe does.
std::vector<uint8_t> compress_piped(const std::vector<uint8_t>& original, size_t piece,
                                    CompressResult* result = nullptr) {
  MemoryInputStream in(original, piece);
  VectorSink sink;
  CompressResult r = compress_stream(in, "original", sink, stream_options());
  if (result) *result = r;
  return std::move(sink.bytes());
}

std::vector<uint8_t> decompress_piped(const std::vector<uint8_t>& archive, size_t piece = 777) {
  MemoryInputStream in(archive, piece);
  VectorSink sink;
  decompress_stream(in, sink, DecompressOptions{2, {}});
  return std::move(sink.bytes());
}

std::vector<uint8_t> decompress_random_access(const std::vector<uint8_t>& archive) {
  auto opened = Archive::open(std::make_unique<MemorySource>(archive, "archive"));
  std::vector<uint8_t> out;
  opened->decode_all(
      1, [&](uint64_t, std::span<const uint8_t> b) { out.insert(out.end(), b.begin(), b.end()); });
  return out;
}

std::vector<uint8_t> model_file() {
  return test::read_file(test::source_dir() / "tests/golden/tiny-float.safetensors");
}

TEST(Stream, FileArchiveDecodesFromAPipe) {
  for (const char* name : {"tiny-float.safetensors", "tiny-quant.gguf"}) {
    auto original = test::read_file(test::source_dir() / "tests/golden" / name);
    auto archive = compress_bytes(original);
    EXPECT_EQ(decompress_piped(archive, 1), original) << name;
    EXPECT_EQ(decompress_piped(archive), original) << name;
    EXPECT_EQ(decompress_random_access(archive), original) << name;
  }
}

TEST(Stream, PipedModelGetsTheSameArchiveAsItsFile) {
  // The header read from the stream gives the file's layout, so the archives are identical.
  for (const char* name : {"tiny-float.safetensors", "tiny-quant.gguf"}) {
    auto original = test::read_file(test::source_dir() / "tests/golden" / name);
    CompressResult result;
    auto piped = compress_piped(original, 4093, &result);
    EXPECT_EQ(piped, compress_bytes(original)) << name;
    EXPECT_EQ(result.original_size, original.size());
    EXPECT_TRUE(result.warnings.empty());
    auto opened = Archive::open(std::make_unique<MemorySource>(piped, "archive"));
    EXPECT_NE(opened->index().source_format, FileFormat::kOpaque);
    EXPECT_GT(opened->index().tensors.size(), 0u);
    EXPECT_EQ(decompress_piped(piped), original);
  }
}

TEST(Stream, LongerThanTheHeaderSaysKeepsTheTensorsAndTheTail) {
  auto original = model_file();
  auto tail = test::skewed_bytes(50000, 3);
  original.insert(original.end(), tail.begin(), tail.end());
  auto piped = compress_piped(original, 10000);
  auto opened = Archive::open(std::make_unique<MemorySource>(piped, "archive"));
  EXPECT_EQ(opened->index().source_format, FileFormat::kSafetensors);
  EXPECT_EQ(decompress_piped(piped), original);
  EXPECT_EQ(decompress_random_access(piped), original);
}

TEST(Stream, ShorterThanTheHeaderSaysKeepsEveryByte) {
  auto full = model_file();
  for (size_t cut : {size_t{9}, size_t{200}, full.size() / 2, full.size() - 1}) {
    std::vector<uint8_t> original(full.begin(), full.begin() + static_cast<ptrdiff_t>(cut));
    CompressResult result;
    auto piped = compress_piped(original, 3000, &result);
    EXPECT_EQ(result.original_size, cut);
    EXPECT_EQ(decompress_piped(piped), original) << cut;
    EXPECT_EQ(decompress_random_access(piped), original) << cut;
  }
}

TEST(Stream, OpaqueAndEmptyStreams) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{16 << 10}, size_t{100000}}) {
    auto original = test::skewed_bytes(n, 7);
    auto piped = compress_piped(original, 5000);
    EXPECT_EQ(decompress_piped(piped), original) << n;
    EXPECT_EQ(decompress_random_access(piped), original) << n;
  }
}

TEST(Stream, VersionOneArchivesNeedAFile) {
  auto golden =
      test::read_file(test::source_dir() / "tests/golden/tiny-float.safetensors.codecs.lcl");
  try {
    decompress_piped(golden);
    FAIL() << "a version-1 archive decoded from a stream";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("from a file"), std::string::npos) << e.what();
  }
}

TEST(Stream, EveryTruncationAndEveryByteFlipIsAnErrorOrHarmless) {
  auto original = test::skewed_bytes(40000, 11);
  auto archive = compress_bytes(original);
  // Every position near the ends (header, first frame, end frame, index, trailer), a stride
  // through the payloads.
  auto positions = [&] {
    std::vector<size_t> p;
    for (size_t n = 0; n < archive.size(); n += (n < 300 || n + 300 > archive.size()) ? 1 : 53)
      p.push_back(n);
    return p;
  }();
  for (size_t n : positions) {
    std::vector<uint8_t> cut(archive.begin(), archive.begin() + static_cast<ptrdiff_t>(n));
    EXPECT_THROW(decompress_piped(cut), Error) << "cut at " << n;
  }
  for (size_t i : positions) {
    auto bad = archive;
    bad[i] ^= 0x10;
    // A flip in bits a payload does not use can decode to the same bytes; anything else throws.
    try {
      EXPECT_EQ(decompress_piped(bad, 4096), original) << "flip at " << i;
    } catch (const Error&) {
    }
  }
  auto longer = archive;
  longer.push_back(0);
  EXPECT_THROW(decompress_piped(longer), Error);
}

TEST(Stream, FrameHeadersMatchTheIndexForRandomAccess) {
  // A payload byte flip is caught by the chunk checksum, a frame header flip by the comparison
  // with the index before the payload is decoded.
  auto original = test::skewed_bytes(40000, 12);
  auto archive = compress_bytes(original);
  auto bad = archive;
  bad[16 + 1] ^= 0x01;  // the first frame's codec id
  auto opened = Archive::open(std::make_unique<MemorySource>(bad, "archive"));
  std::vector<uint8_t> out(opened->index().chunks[0].original_size);
  EXPECT_THROW(opened->decode_chunk(0, out), Error);
}

}  // namespace
}  // namespace lcl
