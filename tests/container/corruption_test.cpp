// Every truncation and every flipped byte of an archive is detected, with lcl::Error, never a
// crash; and nothing is left behind when decompression fails.
#include <gtest/gtest.h>

#include <random>

#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "support/file_utils.hpp"
#include "support/test_paths.hpp"

namespace lcl {
namespace {

using test::TempDir;

struct Fixture {
  TempDir dir;
  std::vector<uint8_t> original;
  std::vector<uint8_t> archive;
  Fixture() {
    original = test::skewed_bytes(200000, 7);
    // a stored (incompressible) stretch too, so flips land in store payloads as well
    auto noise = test::random_bytes(70000, 8);
    original.insert(original.end(), noise.begin(), noise.end());
    test::write_file(dir / "original", original);
    CompressOptions options;
    options.threads = 1;
    options.plan.chunk_size = 32 << 10;
    compress_file(dir / "original", dir / "archive.lcl", options, true);
    archive = test::read_file(dir / "archive.lcl");
  }
};

// Decodes `bytes` as an archive in memory; true when an lcl::Error reported the damage.
bool damage_detected(const std::vector<uint8_t>& bytes) {
  try {
    auto archive = Archive::open(std::make_unique<MemorySource>(bytes, "damaged.lcl"));
    archive->decode_all(1, [](uint64_t, std::span<const uint8_t>) {});
  } catch (const Error&) {
    return true;
  }
  return false;
}

TEST(Corruption, EveryTruncationIsDetected) {
  Fixture f;
  ASSERT_FALSE(damage_detected(f.archive));
  size_t step = std::max<size_t>(1, f.archive.size() / 500);
  for (size_t cut = 0; cut < f.archive.size(); cut += step) {
    std::vector<uint8_t> cut_bytes(f.archive.begin(), f.archive.begin() + cut);
    EXPECT_TRUE(damage_detected(cut_bytes)) << "cut at " << cut;
  }
  for (size_t cut = f.archive.size() - 200; cut < f.archive.size(); ++cut) {  // all of the index
    std::vector<uint8_t> cut_bytes(f.archive.begin(), f.archive.begin() + cut);
    EXPECT_TRUE(damage_detected(cut_bytes)) << "cut at " << cut;
  }
}

TEST(Corruption, EveryFlippedByteIsDetected) {
  Fixture f;
  std::mt19937_64 rng(11);
  std::vector<size_t> positions;
  for (int i = 0; i < 400; ++i) positions.push_back(rng() % f.archive.size());
  for (size_t i = 0; i < 16; ++i) positions.push_back(i);  // header
  for (size_t i = f.archive.size() - 120; i < f.archive.size(); ++i)
    positions.push_back(i);  // index
  for (size_t pos : positions) {
    auto damaged = f.archive;
    damaged[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
    EXPECT_TRUE(damage_detected(damaged)) << "flip at " << pos;
  }
}

TEST(Corruption, NotAnArchive) {
  EXPECT_TRUE(damage_detected({}));
  EXPECT_TRUE(damage_detected(std::vector<uint8_t>(100, 0)));
  EXPECT_TRUE(damage_detected(test::random_bytes(5000, 3)));
}

TEST(Corruption, FailedDecompressLeavesNoOutput) {
  Fixture f;
  auto damaged = f.archive;
  damaged[damaged.size() / 2] ^= 0x10;
  test::write_file(f.dir / "damaged.lcl", damaged);
  EXPECT_THROW(decompress_file(f.dir / "damaged.lcl", f.dir / "restored", {}, false), Error);
  EXPECT_FALSE(std::filesystem::exists(f.dir / "restored"));
  size_t files = 0;
  for (auto& e : std::filesystem::directory_iterator(f.dir.path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 3u);  // original, archive.lcl, damaged.lcl: no temporary left behind
}

TEST(Corruption, VerifyAgainstADifferentOriginalFails) {
  Fixture f;
  auto other = f.original;
  other[1234] ^= 1;
  test::write_file(f.dir / "other", other);
  try {
    verify_file(f.dir / "archive.lcl", f.dir / "other", {});
    FAIL() << "difference not reported";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("offset 1234"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lcl
