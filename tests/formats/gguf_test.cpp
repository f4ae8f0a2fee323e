#include <gtest/gtest.h>

#include <limits>
#include <map>

#include "formats/layout_expectations.hpp"
#include "lcl/layout.hpp"
#include "support/model_builders.hpp"

namespace lcl {
namespace {

using test::BuiltGguf;
using test::expect_rejected;
using test::GgufBuilder;
using test::pattern_bytes;

void patch_u64(std::vector<uint8_t>& bytes, uint64_t at, uint64_t value) {
  for (int i = 0; i < 8; ++i) bytes[at + i] = static_cast<uint8_t>(value >> (8 * i));
}

std::map<std::string, std::string> metadata_map(const Layout& layout) {
  return {layout.metadata.begin(), layout.metadata.end()};
}

// A small valid file: every scalar kind, short and long arrays, a nested array, alignment 64 and
// three tensors of different types with padding between them.
BuiltGguf sample_gguf(uint32_t version = 3) {
  std::vector<uint8_t> nested = GgufBuilder::le(test::kGgufArray, 4);  // array of 2 arrays
  GgufBuilder::append(nested, GgufBuilder::le(2, 8));
  for (uint32_t inner = 0; inner < 2; ++inner) {
    GgufBuilder::append(nested, GgufBuilder::le(test::kGgufU8, 4));
    GgufBuilder::append(nested, GgufBuilder::le(3, 8));
    GgufBuilder::append(nested, {1, 2, 3});
  }
  std::vector<std::string> vocab;
  for (int i = 0; i < 20; ++i) vocab.push_back("tok" + std::to_string(i));
  return GgufBuilder()
      .version(version)
      .kv_string("general.architecture", "llama")
      .alignment(64)
      .kv_u32("llama.block_count", 7)
      .kv_f32("llama.rope.freq_base", 0.5f)
      .kv_bool("general.flag", true)
      .kv_i8("general.small", -3)
      .kv_u64("general.big", 1ull << 40)
      .kv_u32_array("short", {1, 2, 3})
      .kv_string_array("tokenizer.ggml.tokens", vocab)
      .kv("nested", test::kGgufArray, nested)
      .tensor({"norm", type::kF32, {8}, pattern_bytes(32)})
      .tensor({"blk.0.w", type::kQ4_K, {256, 2}, pattern_bytes(288)})
      .tensor({"blk.0.v", type::kQ8_0, {32, 1}, pattern_bytes(34)})
      .trailing({9, 9, 9})
      .build();
}

TEST(Gguf, ValidFileHasExactRegionsAndMetadata) {
  BuiltGguf built = sample_gguf();
  const auto& b = built.bytes;
  Layout layout = parse_gguf(MemorySource(b));
  EXPECT_EQ(layout.format, FileFormat::kGguf);
  EXPECT_TRUE(layout.warnings.empty());
  EXPECT_NO_THROW(validate_layout(layout));
  EXPECT_EQ(built.data_start % 64, 0u);
  // header | norm | pad | w | pad | v | trailing
  ASSERT_EQ(layout.regions.size(), 7u);
  EXPECT_EQ(layout.regions[0].size, built.data_start);
  const uint64_t offsets[] = {built.tensor_offsets[0], built.tensor_offsets[1],
                              built.tensor_offsets[2]};
  EXPECT_EQ(layout.regions[1].offset, offsets[0]);
  EXPECT_EQ(layout.regions[1].size, 32u);
  EXPECT_EQ(layout.regions[1].tensor.type, type::kF32);
  EXPECT_EQ(layout.regions[2].kind, RegionKind::kOpaque);
  EXPECT_EQ(layout.regions[2].size, 32u);  // 32 bytes of padding up to 64
  EXPECT_EQ(layout.regions[3].offset, offsets[1]);
  EXPECT_EQ(layout.regions[3].size, 288u);
  EXPECT_EQ(layout.regions[3].tensor.name, "blk.0.w");
  EXPECT_EQ(layout.regions[3].tensor.type, type::kQ4_K);
  EXPECT_EQ(layout.regions[3].tensor.shape, (std::vector<uint64_t>{256, 2}));
  EXPECT_EQ(layout.regions[4].size, offsets[2] - (offsets[1] + 288));
  EXPECT_EQ(layout.regions[5].size, 34u);
  EXPECT_EQ(layout.regions[5].tensor.type, type::kQ8_0);
  EXPECT_EQ(layout.regions[6].size,
            3u);  // the trailing bytes (the builder pads only between tensors)

  auto meta = metadata_map(layout);
  EXPECT_EQ(meta["general.architecture"], "llama");
  EXPECT_EQ(meta["general.alignment"], "64");
  EXPECT_EQ(meta["llama.block_count"], "7");
  EXPECT_EQ(meta["llama.rope.freq_base"], "0.5");
  EXPECT_EQ(meta["general.flag"], "true");
  EXPECT_EQ(meta["general.small"], "-3");
  EXPECT_EQ(meta["general.big"], "1099511627776");
  EXPECT_EQ(meta["short"], "[1,2,3]");
  EXPECT_EQ(meta["tokenizer.ggml.tokens"], "array<string>[20]");
  EXPECT_EQ(meta["nested"], "array<array>[2]");
  EXPECT_EQ(layout.metadata.size(), 10u);
}

TEST(Gguf, Version2ParsesAndVersion1IsRejected) {
  EXPECT_EQ(parse_gguf(MemorySource(sample_gguf(2).bytes)).regions.size(), 7u);
  expect_rejected(sample_gguf(1).bytes, parse_gguf, "version 1");
  const std::string why = read_layout(MemorySource(sample_gguf(1).bytes)).warnings.at(0);
  EXPECT_NE(why.find("GGUF version 1 is not supported"), std::string::npos) << why;
  EXPECT_EQ(why.find("GGUF GGUF"), std::string::npos) << why;
  expect_rejected(sample_gguf(0x03000000).bytes, parse_gguf, "big-endian version");
}

TEST(Gguf, NoTensorsMeansHeaderOnly) {
  auto bytes = GgufBuilder().kv_u32("a", 1).build().bytes;
  Layout layout = parse_gguf(MemorySource(bytes));
  ASSERT_EQ(layout.regions.size(), 1u);
  EXPECT_EQ(layout.regions[0].size, bytes.size());
  // Files without tensors may end before the alignment padding.
  std::vector<uint8_t> unpadded(bytes.begin(), bytes.begin() + 4 + 4 + 8 + 8 + 8 + 1 + 4 + 4);
  Layout short_layout = parse_gguf(MemorySource(unpadded));
  EXPECT_NO_THROW(validate_layout(short_layout));
}

TEST(Gguf, UnknownTypeIsOpaqueUpToTheNextTensor) {
  BuiltGguf built = GgufBuilder()
                        .tensor({"mystery", 77, {10}, pattern_bytes(40)})
                        .tensor({"known", type::kF16, {4}, pattern_bytes(8)})
                        .tensor({"mystery_last", 200, {3}, pattern_bytes(5)})
                        .build();
  Layout layout = read_layout(MemorySource(built.bytes));
  EXPECT_EQ(layout.format, FileFormat::kGguf);
  EXPECT_NO_THROW(validate_layout(layout));
  ASSERT_EQ(layout.warnings.size(), 2u);
  EXPECT_NE(layout.warnings[0].find("77"), std::string::npos);
  // mystery runs to known's offset (its padding included), known is a tensor with its own padding
  // after it, mystery_last runs to the end of the file.
  ASSERT_EQ(layout.regions.size(), 5u);
  EXPECT_EQ(layout.regions[1].kind, RegionKind::kOpaque);
  EXPECT_EQ(layout.regions[1].offset, built.tensor_offsets[0]);
  EXPECT_EQ(layout.regions[1].size, built.tensor_offsets[1] - built.tensor_offsets[0]);
  EXPECT_EQ(layout.regions[2].kind, RegionKind::kTensor);
  EXPECT_EQ(layout.regions[2].tensor.type, type::kF16);
  EXPECT_EQ(layout.regions[4].offset, built.tensor_offsets[2]);
  EXPECT_EQ(layout.regions[4].offset + layout.regions[4].size, built.bytes.size());
}

TEST(Gguf, HostileCountsAndLengths) {
  auto base =
      GgufBuilder().kv_u32("k", 1).tensor({"t", type::kF32, {4}, pattern_bytes(16)}).build();
  for (uint64_t huge : {std::numeric_limits<uint64_t>::max(), uint64_t{1} << 62, uint64_t{1000}}) {
    auto tensors = base.bytes;
    patch_u64(tensors, 8, huge);
    expect_rejected(tensors, parse_gguf, "tensor count " + std::to_string(huge));
    auto kvs = base.bytes;
    patch_u64(kvs, 16, huge);
    expect_rejected(kvs, parse_gguf, "kv count " + std::to_string(huge));
    auto key = base.bytes;
    patch_u64(key, 24, huge);
    expect_rejected(key, parse_gguf, "key length " + std::to_string(huge));
  }
  for (uint64_t huge : {std::numeric_limits<uint64_t>::max(), uint64_t{1} << 61}) {
    std::vector<uint8_t> array = GgufBuilder::le(test::kGgufU32, 4);
    GgufBuilder::append(array, GgufBuilder::le(huge, 8));
    expect_rejected(GgufBuilder().kv("a", test::kGgufArray, array).build().bytes, parse_gguf,
                    "array count");
    std::vector<uint8_t> strings = GgufBuilder::le(test::kGgufString, 4);
    GgufBuilder::append(strings, GgufBuilder::le(huge, 8));
    expect_rejected(GgufBuilder().kv("a", test::kGgufArray, strings).build().bytes, parse_gguf,
                    "string array count");
    expect_rejected(
        GgufBuilder().kv("s", test::kGgufString, GgufBuilder::le(huge, 8)).build().bytes,
        parse_gguf, "string length");
  }
}

TEST(Gguf, DeeplyNestedArraysAreRejected) {
  std::vector<uint8_t> value;
  for (int depth = 0; depth < 100; ++depth) {
    GgufBuilder::append(value, GgufBuilder::le(test::kGgufArray, 4));
    GgufBuilder::append(value, GgufBuilder::le(1, 8));
  }
  GgufBuilder::append(value, GgufBuilder::le(test::kGgufU8, 4));
  GgufBuilder::append(value, GgufBuilder::le(0, 8));
  // The outer value type is the first "array"; the builder writes it, so skip ours.
  std::vector<uint8_t> inner(value.begin() + 4, value.end());
  expect_rejected(GgufBuilder().kv("deep", test::kGgufArray, inner).build().bytes, parse_gguf,
                  "nesting depth 100");
}

TEST(Gguf, HostileTensorInfos) {
  auto with = [](GgufBuilder b) { return b.build().bytes; };
  expect_rejected(with(GgufBuilder().tensor({"t", type::kF32, {1ull << 32, 1ull << 32, 2}, {}})),
                  parse_gguf, "overflowing dims");
  expect_rejected(with(GgufBuilder().tensor({"t", type::kF32, {}, pattern_bytes(4)})), parse_gguf,
                  "zero dims");
  expect_rejected(
      with(GgufBuilder().tensor({"t", type::kF32, std::vector<uint64_t>(9, 1), pattern_bytes(4)})),
      parse_gguf, "nine dims");
  expect_rejected(with(GgufBuilder().tensor({"t", type::kF32, {100}, pattern_bytes(16)})),
                  parse_gguf, "data beyond the file");
  expect_rejected(with(GgufBuilder()
                           .tensor({"t", type::kF32, {1}, pattern_bytes(4)})
                           .tensor({"t", type::kF32, {1}, pattern_bytes(4)})),
                  parse_gguf, "duplicate tensor name");
  expect_rejected(with(GgufBuilder().kv_u32("a", 1).kv_u32("a", 2)), parse_gguf, "duplicate key");

  auto two = GgufBuilder()
                 .tensor({"a", type::kF32, {16}, pattern_bytes(64)})
                 .tensor({"b", type::kF32, {16}, pattern_bytes(64)})
                 .build();
  const uint64_t last_offset_field = two.infos_end - 8;
  for (auto [value, why] : std::initializer_list<std::pair<uint64_t, const char*>>{
           {1, "unaligned offset"},
           {1ull << 40, "offset beyond the file"},
           {~uint64_t{31}, "offset near 2^64"}}) {
    auto bytes = two.bytes;
    patch_u64(bytes, last_offset_field, value);
    expect_rejected(bytes, parse_gguf, why);
  }
}

// A tensor whose type-derived size cannot be right (overflowing, not whole blocks, running into
// the next tensor) loses its own layout only: it becomes opaque bytes up to the next tensor.
TEST(Gguf, ImplausibleTensorSizesDegradeThatTensorOnly) {
  auto check = [](GgufBuilder builder, const char* why) {
    SCOPED_TRACE(why);
    BuiltGguf built = builder.tensor({"after", type::kF32, {4}, pattern_bytes(16)}).build();
    Layout layout = read_layout(MemorySource(built.bytes));
    ASSERT_EQ(layout.format, FileFormat::kGguf);
    EXPECT_NO_THROW(validate_layout(layout));
    ASSERT_EQ(layout.warnings.size(), 1u);
    EXPECT_NE(layout.warnings[0].find("'t'"), std::string::npos) << layout.warnings[0];
    ASSERT_EQ(layout.regions.size(), 3u);
    EXPECT_EQ(layout.regions[1].kind, RegionKind::kOpaque);
    EXPECT_EQ(layout.regions[1].tensor.name, "t");
    EXPECT_EQ(layout.regions[1].offset, built.tensor_offsets[0]);
    EXPECT_EQ(layout.regions[1].size, built.tensor_offsets[1] - built.tensor_offsets[0]);
    EXPECT_EQ(layout.regions[2].kind, RegionKind::kTensor);
    EXPECT_EQ(layout.regions[2].tensor.name, "after");
  };
  check(GgufBuilder().tensor({"t", type::kF32, {1ull << 62}, pattern_bytes(8)}), "overflow");
  check(GgufBuilder().tensor({"t", type::kQ4_K, {100}, pattern_bytes(64)}), "not whole blocks");
  // 64 values of F32 claim 256 bytes; the next tensor starts after 32.
  check(GgufBuilder().tensor({"t", type::kF32, {64}, pattern_bytes(32)}), "runs into the next");
}

// ggml's writer gives an empty tensor the offset of the next one. Of unknown type, it must stay
// empty (not swallow its neighbour) and the file keeps its layout.
TEST(Gguf, EmptyTensorOfUnknownTypeSharingAnOffset) {
  BuiltGguf built = GgufBuilder()
                        .tensor({"empty_q2_0", 42, {0}, {}})
                        .tensor({"w", type::kF16, {16}, pattern_bytes(32)})
                        .tensor({"empty_last", 43, {0, 7}, {}})
                        .build();
  ASSERT_EQ(built.tensor_offsets[0], built.tensor_offsets[1]);
  Layout layout = read_layout(MemorySource(built.bytes));
  ASSERT_EQ(layout.format, FileFormat::kGguf);
  EXPECT_NO_THROW(validate_layout(layout));
  std::map<std::string, const Region*> by_name;
  for (const Region& r : layout.regions) by_name[r.tensor.name] = &r;
  ASSERT_TRUE(by_name.count("empty_q2_0") && by_name.count("w") && by_name.count("empty_last"));
  EXPECT_EQ(by_name["empty_q2_0"]->size, 0u);
  EXPECT_EQ(by_name["empty_q2_0"]->tensor.type, 42u);
  EXPECT_EQ(by_name["w"]->kind, RegionKind::kTensor);
  EXPECT_EQ(by_name["w"]->size, 32u);
  EXPECT_EQ(by_name["empty_last"]->kind, RegionKind::kOpaque);
  EXPECT_EQ(by_name["empty_last"]->offset + by_name["empty_last"]->size, built.bytes.size());
}

TEST(Gguf, HostileValues) {
  expect_rejected(GgufBuilder().kv_u32("general.alignment", 48).build().bytes, parse_gguf,
                  "alignment not a power of two");
  expect_rejected(GgufBuilder().kv_u32("general.alignment", 0).build().bytes, parse_gguf,
                  "alignment zero");
  expect_rejected(GgufBuilder().kv_u64("general.alignment", 32).build().bytes, parse_gguf,
                  "alignment not u32");
  expect_rejected(GgufBuilder().kv("b", test::kGgufBool, {2}).build().bytes, parse_gguf, "bool 2");
  expect_rejected(GgufBuilder().kv("x", 13, {0, 0, 0, 0}).build().bytes, parse_gguf,
                  "unknown value type");
  std::vector<uint8_t> bad_array = GgufBuilder::le(13, 4);
  GgufBuilder::append(bad_array, GgufBuilder::le(1, 8));
  expect_rejected(GgufBuilder().kv("x", test::kGgufArray, bad_array).build().bytes, parse_gguf,
                  "unknown array element type");
}

TEST(Gguf, EveryTruncationGivesASoundLayout) {
  const auto bytes = sample_gguf().bytes;
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    SCOPED_TRACE(cut);
    test::expect_sound_layout(std::vector<uint8_t>(bytes.begin(), bytes.begin() + cut));
  }
}

TEST(Gguf, EveryHeaderByteFlipGivesASoundLayout) {
  const BuiltGguf built = sample_gguf();
  for (size_t i = 0; i < built.data_start; ++i) {
    for (uint8_t mask : {0x01, 0x10, 0x80, 0xff}) {
      auto mutated = built.bytes;
      mutated[i] ^= mask;
      test::expect_sound_layout(mutated);
    }
  }
}

}  // namespace
}  // namespace lcl
