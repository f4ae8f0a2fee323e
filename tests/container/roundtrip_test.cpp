// compress_file -> decompress_file / verify_file / read_tensor roundtrips, byte-exact.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "support/file_utils.hpp"
#include "support/test_paths.hpp"

namespace lcl {
namespace {

using test::TempDir;

CompressOptions small_chunks(unsigned threads = 2) {
  CompressOptions o;
  o.threads = threads;
  o.plan.chunk_size = 64 << 10;
  o.verify_chunks = true;
  return o;
}

// Compresses, decompresses and verifies `original`; returns the compressed size.
uint64_t roundtrip(const std::filesystem::path& original, const std::filesystem::path& dir,
                   const CompressOptions& options = small_chunks()) {
  auto packed = dir / (original.filename().string() + ".lcl");
  auto unpacked = dir / (original.filename().string() + ".out");
  CompressResult result = compress_file(original, packed, options, true);
  EXPECT_EQ(result.original_size, std::filesystem::file_size(original));
  EXPECT_EQ(result.compressed_size, std::filesystem::file_size(packed));
  verify_file(packed, original, DecompressOptions{2, {}});
  decompress_file(packed, unpacked, DecompressOptions{2, {}}, true);
  EXPECT_EQ(test::read_file(unpacked), test::read_file(original)) << original;
  return result.compressed_size;
}

TEST(Roundtrip, EmptyFile) {
  TempDir dir;
  test::write_file(dir / "empty", {});
  roundtrip(dir / "empty", dir.path());
}

TEST(Roundtrip, OneByte) {
  TempDir dir;
  test::write_file(dir / "one", {42});
  roundtrip(dir / "one", dir.path());
}

TEST(Roundtrip, RandomBytesAreStoredNotExpanded) {
  TempDir dir;
  test::write_file(dir / "random", test::random_bytes(300000, 1));
  uint64_t size = roundtrip(dir / "random", dir.path());
  EXPECT_LT(size, 300000u + 1000u);  // incompressible chunks are stored: only the index is added
}

TEST(Roundtrip, SkewedBytesShrink) {
  TempDir dir;
  test::write_file(dir / "skewed", test::skewed_bytes(500000, 2));
  uint64_t size = roundtrip(dir / "skewed", dir.path());
  EXPECT_LT(size, 400000u);
}

TEST(Roundtrip, SameOutputForAnyThreadCount) {
  TempDir dir;
  test::write_file(dir / "data", test::skewed_bytes(700000, 3));
  compress_file(dir / "data", dir / "one.lcl", small_chunks(1), true);
  compress_file(dir / "data", dir / "four.lcl", small_chunks(4), true);
  EXPECT_EQ(test::read_file(dir / "one.lcl"), test::read_file(dir / "four.lcl"));
}

TEST(Roundtrip, RefusesToOverwriteWithoutForce) {
  TempDir dir;
  test::write_file(dir / "data", {1, 2, 3});
  test::write_file(dir / "data.lcl", {9});
  EXPECT_THROW(compress_file(dir / "data", dir / "data.lcl", small_chunks(), false), Error);
  EXPECT_EQ(test::read_file(dir / "data.lcl"), std::vector<uint8_t>{9});
}

TEST(Roundtrip, EveryCorpusFileByteExact) {
  LCL_REQUIRE_CORPUS();
  TempDir dir;
  CompressOptions options;
  options.threads = 2;
  options.verify_chunks = true;
  size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(test::corpus_dir())) {
    if (!entry.is_regular_file()) continue;
    SCOPED_TRACE(entry.path().string());
    uint64_t size = roundtrip(entry.path(), dir.path(), options);
    EXPECT_LE(size, entry.file_size() + 4096);
    std::filesystem::remove(dir / (entry.path().filename().string() + ".out"));
    ++files;
  }
  EXPECT_GT(files, 10u);
}

// A sparse file past 4 GiB: offsets and sizes must be 64-bit everywhere; the output stays sparse.
// Memory-backed when the machine has /dev/shm: reading 4 GiB of holes through a disk file system's
// page cache is slow on some virtual machines, and tmpfs hands holes back without that cost.
std::filesystem::path sparse_file_parent() {
  std::error_code ec;
  if (std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0)
    return "/dev/shm";
  return std::filesystem::temp_directory_path();
}

TEST(Roundtrip, SparseFileOver4GiB) {
  TempDir dir(sparse_file_parent());
  auto path = dir / "sparse";
  const uint64_t size = (4ull << 30) + 12345;
  {
    test::write_file(path, {});
    std::filesystem::resize_file(path, size);
    std::FILE* f = std::fopen(path.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    const char marker[] = "data after the 4 GiB mark";
    ASSERT_EQ(fseeko(f, static_cast<off_t>(size - 100), SEEK_SET), 0);
    std::fwrite(marker, 1, sizeof marker, f);
    std::fclose(f);
  }
  CompressOptions options;
  options.threads = 2;
  auto packed = dir / "sparse.lcl";
  compress_file(path, packed, options, true);
  EXPECT_LT(std::filesystem::file_size(packed), 1u << 20);
  auto unpacked = dir / "sparse.out";
  decompress_file(packed, unpacked, DecompressOptions{2, {}}, true);
  ASSERT_EQ(std::filesystem::file_size(unpacked), size);
  struct stat st {};
  ASSERT_EQ(::stat(unpacked.c_str(), &st), 0);
  EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, 64ull << 20);  // holes kept
  auto archive = Archive::open(packed);
  EXPECT_EQ(archive->index().original_size, size);
  auto original = open_original(std::shared_ptr<const Archive>(std::move(archive)));
  std::vector<uint8_t> tail(26);
  original->read(size - 100, tail);
  EXPECT_EQ(std::string(tail.begin(), tail.end() - 1), "data after the 4 GiB mark");
}

}  // namespace
}  // namespace lcl
