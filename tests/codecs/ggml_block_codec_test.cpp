// Generic ggml block codec: layouts tile their blocks, every type round-trips byte-exact, the
// result is never larger than zstd on the same bytes (plus the few header bytes), and the corpus
// tensors of such types (stories260K's Q5_0) round-trip and beat zstd.
#include <gtest/gtest.h>
#include <zstd.h>

#include <random>

#include "codecs/ggml_blocks/ggml_block_codec.hpp"
#include "formats/ggml/ggml_block_layouts.hpp"
#include "quant_test_support.hpp"
#include "support/test_paths.hpp"

namespace lcl {
namespace {

constexpr size_t kHeaderSlack = 16;  // version, type, block count, mode

size_t zstd_size(std::span<const uint8_t> bytes, int level) {
  std::vector<uint8_t> out(ZSTD_compressBound(bytes.size()));
  return ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), level);
}

// Blocks whose nibble and byte fields are peaked (like real quants) and whose halves vary little.
std::vector<uint8_t> plausible_blocks(const ggml::BlockLayout& layout, size_t blocks,
                                      uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> gauss(0.0, 2.0);
  std::vector<uint8_t> out(blocks * layout.block_bytes);
  for (size_t b = 0; b < blocks; ++b)
    for (const auto& field : layout.fields) {
      uint8_t* p = &out[b * layout.block_bytes + field.offset];
      for (uint32_t i = 0; i < field.size; ++i) {
        const auto nibble = [&] {
          return static_cast<uint8_t>(std::clamp(std::lround(8 + gauss(rng)), 0L, 15L));
        };
        switch (field.kind) {
          case ggml::FieldKind::kHalf:
            p[i] = static_cast<uint8_t>(i % 2 ? 0x14 + rng() % 3 : rng());
            break;
          case ggml::FieldKind::kNibbles:
            p[i] = static_cast<uint8_t>(nibble() | (nibble() << 4));
            break;
          case ggml::FieldKind::kBytes:
            p[i] = static_cast<uint8_t>(std::lround(gauss(rng) * 8));
            break;
        }
      }
    }
  return out;
}

TEST(GgmlBlockLayouts, FieldsTileEveryBlock) {
  for (const auto& layout : ggml::all_block_layouts()) {
    uint32_t next = 0;
    for (const auto& field : layout.fields) {
      EXPECT_EQ(field.offset, next) << "type " << layout.type;
      EXPECT_GT(field.size, 0u);
      if (field.kind == ggml::FieldKind::kHalf) {
        EXPECT_EQ(field.size, 2u);
      }
      next = field.offset + field.size;
    }
    EXPECT_EQ(next, layout.block_bytes) << "type " << layout.type;
  }
  // Types with dedicated codecs keep a layout (for the delta codec) but are not routed here;
  // plain element types have none.
  for (TypeId dedicated :
       {type::kQ3_K, type::kQ4_K, type::kQ5_K, type::kQ6_K, type::kQ8_0, type::kMXFP4}) {
    EXPECT_NE(ggml::find_block_layout(dedicated), nullptr) << dedicated;
    EXPECT_FALSE(ggml_block_codec().accepts(dedicated)) << dedicated;
  }
  EXPECT_TRUE(ggml_block_codec().accepts(type::kQ4_0));
  EXPECT_EQ(ggml::find_block_layout(type::kF16), nullptr);
  EXPECT_EQ(ggml::find_block_layout(12345), nullptr);
}

TEST(GgmlBlockCodec, EveryTypeRoundTripsAndIsNeverWorseThanZstd) {
  const Codec& codec = ggml_block_codec();
  for (const auto& layout : ggml::all_block_layouts()) {
    // Types with a dedicated codec keep their layout (older archives decode) but go there.
    const Codec* dedicated = specialised_codec_for(layout.type);
    EXPECT_EQ(codec.accepts(layout.type), dedicated == &codec);
    test::expect_roundtrip(codec, {}, layout.type);
    for (size_t blocks : {1u, 9u, 600u}) {
      const auto seed = static_cast<uint32_t>(layout.type * 1000 + blocks);
      for (const auto& input : {plausible_blocks(layout, blocks, seed),
                                test::random_bytes(blocks * layout.block_bytes, seed),
                                std::vector<uint8_t>(blocks * layout.block_bytes, 0)}) {
        const size_t size = test::expect_roundtrip(codec, input, layout.type);
        EXPECT_LE(size, zstd_size(input, 3) + kHeaderSlack) << "type " << layout.type;
        EXPECT_LE(size, input.size() + kHeaderSlack) << "type " << layout.type;
      }
    }
    // Field modelling beats zstd where the fields are skewed.
    auto skewed = plausible_blocks(layout, 2000, layout.type);
    const size_t size = test::expect_roundtrip(codec, skewed, layout.type);
    EXPECT_LT(size, zstd_size(skewed, 3)) << "type " << layout.type;
  }
}

TEST(GgmlBlockCodec, RejectsUnknownTypesRaggedInputAndCorruption) {
  const Codec& codec = ggml_block_codec();
  std::vector<uint8_t> payload;
  EncodeContext unknown;
  unknown.type = type::kF16;  // a plain element type: no block layout
  EXPECT_THROW(codec.encode(std::vector<uint8_t>(144, 0), unknown, payload), Error);
  EncodeContext q4_0;
  q4_0.type = type::kQ4_0;
  EXPECT_THROW(codec.encode(std::vector<uint8_t>(19, 0), q4_0, payload), Error);
  const auto* layout = ggml::find_block_layout(type::kQ4_0);
  test::expect_corruption_handled(codec, plausible_blocks(*layout, 200, 1), type::kQ4_0, 2);
  const auto* mxfp4 = ggml::find_block_layout(39);
  test::expect_corruption_handled(codec, plausible_blocks(*mxfp4, 200, 3), 39, 4);
}

TEST(GgmlBlockCodec, CorpusTensorsRoundTripAndBeatZstd) {
  LCL_REQUIRE_CORPUS();
  for (const auto& path : test::corpus_gguf_files(test::corpus_dir())) {
    const auto file = test::read_gguf_for_test(path);
    uint64_t original = 0, coded = 0, zstd = 0;
    for (const auto& t : file.tensors) {
      const auto* layout = ggml::find_block_layout(t.type);
      if (!layout) continue;
      const size_t size = t.elements /
                          (layout->type == type::kQ4_0 || layout->block_bytes < 40 ? 32 : 256) *
                          layout->block_bytes;
      std::span<const uint8_t> bytes(&file.bytes[t.offset], size);
      coded += test::expect_roundtrip(ggml_block_codec(), bytes, t.type);
      zstd += zstd_size(bytes, 3);
      original += size;
    }
    if (original == 0) continue;
    std::printf("  %s: other ggml blocks %llu -> %llu bytes, %.4fx (zstd -3 %.4fx)\n",
                path.filename().c_str(), static_cast<unsigned long long>(original),
                static_cast<unsigned long long>(coded),
                static_cast<double>(original) / static_cast<double>(coded),
                static_cast<double>(original) / static_cast<double>(zstd));
    EXPECT_LT(coded, zstd) << path;
  }
}

}  // namespace
}  // namespace lcl
