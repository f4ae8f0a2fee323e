#include <gtest/gtest.h>

#include <fstream>
#include <limits>

#include "formats/layout_expectations.hpp"
#include "lcl/source.hpp"
#include "support/test_paths.hpp"

namespace lcl {
namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(FileSource, ReadsExactRangesAndRejectsReadsPastTheEnd) {
  test::TempDir dir;
  const auto path = dir / "f.bin";
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 1000; ++i) out.put(static_cast<char>(i % 251));
  }
  FileSource source(path);
  EXPECT_EQ(source.size(), 1000u);
  EXPECT_EQ(source.name(), path.string());
  std::vector<uint8_t> buf(10);
  source.read(995 - 5, buf);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(buf[i], (990 + i) % 251);
  source.read(1000, std::span<uint8_t>());  // empty read at the end is fine
  EXPECT_EQ(test::kind_of_failure([&] { source.read(995, buf); }), ErrorKind::kCorruptInput);
  EXPECT_NE(message_of([&] { source.read(995, buf); }).find("unexpected end of " + path.string()),
            std::string::npos);
  EXPECT_EQ(
      test::kind_of_failure([&] { source.read(std::numeric_limits<uint64_t>::max() - 2, buf); }),
      ErrorKind::kCorruptInput);
}

TEST(FileSource, MissingFileAndDirectoryAreIoErrorsNamingThePath) {
  test::TempDir dir;
  const auto missing = dir / "nope.safetensors";
  EXPECT_EQ(test::kind_of_failure([&] { FileSource s(missing); }), ErrorKind::kIo);
  EXPECT_NE(message_of([&] { FileSource s(missing); }).find(missing.string()), std::string::npos);
  EXPECT_EQ(test::kind_of_failure([&] { FileSource s(dir.path()); }), ErrorKind::kIo);
  EXPECT_EQ(test::kind_of_failure([&] { read_layout(missing); }), ErrorKind::kIo);
}

TEST(MemorySource, BoundsAreChecked) {
  std::vector<uint8_t> bytes = {1, 2, 3, 4};
  MemorySource source(bytes, "mem");
  std::vector<uint8_t> two(2);
  source.read(2, two);
  EXPECT_EQ(two, (std::vector<uint8_t>{3, 4}));
  EXPECT_NE(message_of([&] { source.read(3, two); }).find("unexpected end of mem"),
            std::string::npos);
  EXPECT_EQ(test::kind_of_failure([&] { source.read(std::numeric_limits<uint64_t>::max(), two); }),
            ErrorKind::kCorruptInput);
}

TEST(Layout, EmptyAndTinyFilesAreOpaque) {
  for (size_t n : {0, 1, 3, 8, 9}) {
    std::vector<uint8_t> bytes(n, '{');
    Layout layout = read_layout(MemorySource(bytes));
    EXPECT_EQ(layout.format, FileFormat::kOpaque);
    EXPECT_EQ(layout.regions.size(), n == 0 ? 0u : 1u);
    EXPECT_NO_THROW(validate_layout(layout));
  }
}

TEST(Layout, ValidateLayoutRejectsBrokenInvariants) {
  Layout layout = opaque_layout(100);
  EXPECT_NO_THROW(validate_layout(layout));
  Layout gap = layout;
  gap.regions[0].size = 90;
  EXPECT_EQ(test::kind_of_failure([&] { validate_layout(gap); }), ErrorKind::kCorruptInput);
  Layout overlap = layout;
  overlap.regions.push_back(Region{50, 50, RegionKind::kOpaque, {}});
  EXPECT_EQ(test::kind_of_failure([&] { validate_layout(overlap); }), ErrorKind::kCorruptInput);
  Layout empty_opaque = layout;
  empty_opaque.regions.push_back(Region{100, 0, RegionKind::kOpaque, {}});
  EXPECT_EQ(test::kind_of_failure([&] { validate_layout(empty_opaque); }),
            ErrorKind::kCorruptInput);
  Layout huge = layout;
  huge.regions[0].size = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(test::kind_of_failure([&] { validate_layout(huge); }), ErrorKind::kCorruptInput);
}

}  // namespace
}  // namespace lcl
