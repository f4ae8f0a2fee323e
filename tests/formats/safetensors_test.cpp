#include <gtest/gtest.h>

#include <limits>

#include "formats/layout_expectations.hpp"
#include "lcl/layout.hpp"
#include "support/model_builders.hpp"

namespace lcl {
namespace {

using test::build_safetensors;
using test::build_safetensors_raw;
using test::expect_rejected;
using test::pattern_bytes;

uint64_t header_end(const std::vector<uint8_t>& file) {
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(file[i]) << (8 * i);
  return 8 + n;
}

TEST(Safetensors, ValidFileHasExactRegions) {
  auto file = build_safetensors(
      {{"a.weight", "BF16", {2, 3}, pattern_bytes(12)}, {"b.bias", "F32", {4}, pattern_bytes(16)}},
      {{"format", "pt"}});
  const uint64_t data = header_end(file);
  EXPECT_EQ(data % 8, 0u);  // the builder pads like the reference writer
  Layout layout = parse_safetensors(MemorySource(file));
  EXPECT_EQ(layout.format, FileFormat::kSafetensors);
  EXPECT_EQ(layout.file_size, file.size());
  ASSERT_EQ(layout.regions.size(), 3u);
  EXPECT_EQ(layout.regions[0].offset, 0u);
  EXPECT_EQ(layout.regions[0].size, data);
  EXPECT_EQ(layout.regions[0].kind, RegionKind::kOpaque);
  EXPECT_EQ(layout.regions[1].offset, data);
  EXPECT_EQ(layout.regions[1].size, 12u);
  EXPECT_EQ(layout.regions[1].kind, RegionKind::kTensor);
  EXPECT_EQ(layout.regions[1].tensor.name, "a.weight");
  EXPECT_EQ(layout.regions[1].tensor.type, type::kBF16);
  EXPECT_EQ(layout.regions[1].tensor.shape, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(layout.regions[2].offset, data + 12);
  EXPECT_EQ(layout.regions[2].size, 16u);
  EXPECT_EQ(layout.regions[2].tensor.type, type::kF32);
  EXPECT_EQ(layout.metadata, (std::vector<std::pair<std::string, std::string>>{{"format", "pt"}}));
  EXPECT_NO_THROW(validate_layout(layout));
  EXPECT_TRUE(read_layout(MemorySource(file)).warnings.empty());
}

TEST(Safetensors, TensorsAreSortedByOffsetAndGapsAreOpaque) {
  // JSON lists z first although its data comes last; 4 bytes between the tensors belong to no
  // tensor, and 3 bytes trail the data section.
  std::string header = R"({"z":{"dtype":"U8","shape":[2],"data_offsets":[8,10]},)"
                       R"("y":{"dtype":"I16","shape":[2],"data_offsets":[0,4]}})";
  auto file = build_safetensors_raw(header, pattern_bytes(13));
  const uint64_t data = header_end(file);
  Layout layout = parse_safetensors(MemorySource(file));
  ASSERT_EQ(layout.regions.size(), 5u);
  EXPECT_EQ(layout.regions[1].tensor.name, "y");
  EXPECT_EQ(layout.regions[1].offset, data);
  EXPECT_EQ(layout.regions[2].kind, RegionKind::kOpaque);
  EXPECT_EQ(layout.regions[2].offset, data + 4);
  EXPECT_EQ(layout.regions[2].size, 4u);
  EXPECT_EQ(layout.regions[3].tensor.name, "z");
  EXPECT_EQ(layout.regions[3].tensor.type, type::kU8);
  EXPECT_EQ(layout.regions[4].kind, RegionKind::kOpaque);
  EXPECT_EQ(layout.regions[4].size, 3u);
  EXPECT_NO_THROW(validate_layout(layout));
}

TEST(Safetensors, UnknownDtypeBecomesOpaqueRegionOfItsExtent) {
  std::string header = R"({"odd":{"dtype":"F4_FUTURE","shape":[6],"data_offsets":[0,3]},)"
                       R"("w":{"dtype":"F16","shape":[2],"data_offsets":[3,7]}})";
  auto file = build_safetensors_raw(header, pattern_bytes(7));
  Layout layout = read_layout(MemorySource(file));
  EXPECT_TRUE(layout.warnings.empty());
  EXPECT_EQ(layout.format, FileFormat::kSafetensors);
  ASSERT_EQ(layout.regions.size(), 3u);
  EXPECT_EQ(layout.regions[1].kind, RegionKind::kOpaque);
  EXPECT_EQ(layout.regions[1].size, 3u);
  EXPECT_EQ(layout.regions[2].kind, RegionKind::kTensor);
  EXPECT_EQ(layout.regions[2].tensor.type, type::kF16);
}

TEST(Safetensors, EmptyTensorIsAZeroSizeRegion) {
  auto file = build_safetensors({{"empty", "F32", {0, 5}, {}}, {"x", "U8", {3}, pattern_bytes(3)}});
  Layout layout = read_layout(MemorySource(file));
  EXPECT_TRUE(layout.warnings.empty());
  ASSERT_EQ(layout.regions.size(), 3u);
  EXPECT_EQ(layout.regions[1].tensor.name, "empty");
  EXPECT_EQ(layout.regions[1].size, 0u);
  EXPECT_NO_THROW(validate_layout(layout));
}

TEST(Safetensors, HostileHeaderLengths) {
  for (uint64_t n : {std::numeric_limits<uint64_t>::max(), std::numeric_limits<uint64_t>::max() - 7,
                     uint64_t{1} << 63, uint64_t{200} << 20, uint64_t{40}}) {
    std::vector<uint8_t> file;
    test::put_le(file, n, 8);
    std::string body = R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})";
    file.insert(file.end(), body.begin(), body.end());
    file.resize(std::min<size_t>(file.size(), 8 + 39));  // always shorter than 8 + n
    expect_rejected(file, parse_safetensors, "header length " + std::to_string(n));
  }
}

TEST(Safetensors, HostileTensorEntries) {
  const std::vector<uint8_t> data = pattern_bytes(16);
  const std::pair<const char*, std::string> cases[] = {
      {"overlap", R"({"a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]},)"
                  R"("b":{"dtype":"U8","shape":[8],"data_offsets":[4,12]}})"},
      {"end beyond data", R"({"a":{"dtype":"U8","shape":[17],"data_offsets":[0,17]}})"},
      {"offset near 2^64", R"({"a":{"dtype":"U8","shape":[2],"data_offsets":)"
                           R"([18446744073709551614,18446744073709551616]}})"},
      {"reversed offsets", R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[8,4]}})"},
      {"overflowing shape", R"({"a":{"dtype":"U8","shape":[4294967296,4294967296,2],)"
                            R"("data_offsets":[0,0]}})"},
      {"size overflow", R"({"a":{"dtype":"F64","shape":[4611686018427387904],)"
                        R"("data_offsets":[0,0]}})"},
      {"wrong dtype size", R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})"},
      {"negative dim", R"({"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}})"},
      {"fractional dim", R"({"a":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}})"},
      {"missing dtype", R"({"a":{"shape":[1],"data_offsets":[0,1]}})"},
      {"one offset", R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0]}})"},
      {"tensor not object", R"({"a":[1,2,3]})"},
      {"metadata not object", R"({"__metadata__":"x"})"},
      {"invalid json", R"({"a":{"dtype":"U8",)"},
      {"deep nesting", R"({"a":)" + std::string(5000, '[') + std::string(5000, ']') + "}"},
      {"deep object nesting", "{" + std::string(100, ' ') + R"("a":)" + std::string(2000, '{')},
  };
  for (const auto& [why, header] : cases) {
    expect_rejected(build_safetensors_raw(header, data), parse_safetensors, why);
  }
}

TEST(Safetensors, BracketsInsideNamesAreNotNesting) {
  const std::string name = std::string(40, '[') + "\\\"{" + std::string(40, '{');
  const std::string header = "{\"" + name + R"(":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})";
  auto file = build_safetensors_raw(header, pattern_bytes(2));
  Layout layout = parse_safetensors(MemorySource(file));
  ASSERT_EQ(layout.regions.size(), 2u);
  EXPECT_EQ(layout.regions[1].tensor.name, std::string(40, '[') + "\"{" + std::string(40, '{'));
}

// 200,000 tensors (listed in reverse file order) parse in one pass; the parse took minutes when
// the depth check rescanned the root object after every tensor.
TEST(Safetensors, TwoHundredThousandTensorsParse) {
  constexpr uint64_t kCount = 200000;
  std::string header = "{";
  for (uint64_t i = kCount; i-- > 0;) {
    header += "\"t" + std::to_string(i) + R"(":{"dtype":"U8","shape":[1],"data_offsets":[)" +
              std::to_string(i) + "," + std::to_string(i + 1) + "]}";
    header += i ? "," : "}";
  }
  auto file = build_safetensors_raw(header, pattern_bytes(kCount));
  Layout layout = parse_safetensors(MemorySource(file));
  ASSERT_EQ(layout.regions.size(), kCount + 1);
  const uint64_t data = header_end(file);
  for (uint64_t i = 0; i < kCount; ++i) {
    const Region& r = layout.regions[i + 1];
    std::string expected_name = "t";  // appended, not "t" + ...: gcc 12 warns falsely on that
    expected_name += std::to_string(i);
    ASSERT_EQ(r.tensor.name, expected_name);
    ASSERT_EQ(r.offset, data + i);
    ASSERT_EQ(r.size, 1u);
    ASSERT_EQ(r.kind, RegionKind::kTensor);
  }
}

TEST(Safetensors, NonObjectRootIsRejectedAndNotTakenForSafetensors) {
  auto file = build_safetensors_raw(R"([{"a":1}])", {});
  EXPECT_EQ(test::kind_of_failure([&] { parse_safetensors(MemorySource(file)); }),
            ErrorKind::kCorruptInput);
  // Without the '{' that opens every safetensors header the file is simply not one.
  Layout layout = read_layout(MemorySource(file));
  EXPECT_EQ(layout.format, FileFormat::kOpaque);
  EXPECT_TRUE(layout.warnings.empty());
}

TEST(Safetensors, EveryTruncationGivesASoundLayout) {
  auto file = build_safetensors(
      {{"a", "BF16", {2, 2}, pattern_bytes(8)}, {"b", "F32", {1}, pattern_bytes(4)}}, {{"k", "v"}});
  for (size_t cut = 0; cut < file.size(); ++cut) {
    SCOPED_TRACE(cut);
    std::vector<uint8_t> prefix(file.begin(), file.begin() + cut);
    test::expect_sound_layout(prefix);
    if (cut >= 9) {
      EXPECT_EQ(test::kind_of_failure([&] { parse_safetensors(MemorySource(prefix)); }),
                ErrorKind::kCorruptInput);
    }
  }
}

TEST(Safetensors, EveryByteFlipGivesASoundLayout) {
  auto file = build_safetensors({{"a", "BF16", {2, 2}, pattern_bytes(8)}});
  for (size_t i = 0; i < file.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      auto mutated = file;
      mutated[i] ^= mask;
      test::expect_sound_layout(mutated);
    }
  }
}

}  // namespace
}  // namespace lcl
