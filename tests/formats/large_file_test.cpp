// Files over 4 GiB: offsets and sizes past 32 bits must survive parsing. The files are sparse
// (only the header is written), so the test costs no disk space or time.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>

#include "lcl/layout.hpp"
#include "support/model_builders.hpp"
#include "support/test_paths.hpp"

namespace lcl {
namespace {

constexpr uint64_t kFiveGiB = 5ull << 30;

// Writes `header` and extends the file to `total` bytes without writing them; false when the
// file system cannot hold such a file.
bool write_sparse(const std::filesystem::path& path, const std::vector<uint8_t>& header,
                  uint64_t total) {
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(header.data()),
              static_cast<std::streamsize>(header.size()));
  }
  return ::truncate(path.c_str(), static_cast<off_t>(total)) == 0;
}

TEST(LargeFiles, SafetensorsTensorBeyondFourGiB) {
  test::TempDir dir;
  std::string json =
      R"({"small":{"dtype":"U8","shape":[16],"data_offsets":[0,16]},)"
      R"("big":{"dtype":"BF16","shape":[2,1342177280],"data_offsets":[16,5368709136]}})";
  auto header = test::build_safetensors_raw(json, {});
  const uint64_t data_start = header.size();
  if (!write_sparse(dir / "big.safetensors", header, data_start + 16 + kFiveGiB))
    GTEST_SKIP() << "file system refuses a sparse 5 GiB file";
  Layout layout = read_layout(dir / "big.safetensors");
  ASSERT_TRUE(layout.warnings.empty()) << layout.warnings.front();
  ASSERT_EQ(layout.regions.size(), 3u);
  EXPECT_EQ(layout.regions[2].tensor.name, "big");
  EXPECT_EQ(layout.regions[2].offset, data_start + 16);
  EXPECT_EQ(layout.regions[2].size, kFiveGiB);
  EXPECT_NO_THROW(validate_layout(layout));
}

TEST(LargeFiles, GgufOffsetBeyondFourGiB) {
  test::TempDir dir;
  // Two tensors: a 5 GiB I8 one, then a small F32 one whose offset needs 64 bits.
  test::BuiltGguf built = test::GgufBuilder()
                              .tensor({"huge", type::kI8, {kFiveGiB}, {}})
                              .tensor({"after", type::kF32, {8}, {}})
                              .build();
  // The builder laid both out as empty; patch the second offset to after the 5 GiB tensor.
  const uint64_t after_offset = kFiveGiB;  // multiple of 32
  for (int i = 0; i < 8; ++i)
    built.bytes[built.infos_end - 8 + i] = static_cast<uint8_t>(after_offset >> (8 * i));
  const uint64_t total = built.data_start + after_offset + 32;
  if (!write_sparse(dir / "big.gguf", built.bytes, total))
    GTEST_SKIP() << "file system refuses a sparse 5 GiB file";
  Layout layout = read_layout(dir / "big.gguf");
  ASSERT_TRUE(layout.warnings.empty()) << layout.warnings.front();
  ASSERT_EQ(layout.regions.size(), 3u);
  EXPECT_EQ(layout.regions[1].size, kFiveGiB);
  EXPECT_EQ(layout.regions[2].offset, built.data_start + kFiveGiB);
  EXPECT_EQ(layout.regions[2].tensor.type, type::kF32);
  EXPECT_NO_THROW(validate_layout(layout));
}

}  // namespace
}  // namespace lcl
