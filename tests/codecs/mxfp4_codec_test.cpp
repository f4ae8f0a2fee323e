// MXFP4 codec: byte-exact round trips of synthetic and real blocks, corruption handling, and the
// coded size of the corpus tensors against the order-0 entropy of their codes.
#include <gtest/gtest.h>

#include <random>

#include "codecs/mxfp4/mxfp4_codec.hpp"
#include "codecs/registry.hpp"
#include "entropy/rans.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "quant_test_support.hpp"
#include "support/test_paths.hpp"
#include "util/endian.hpp"

namespace lcl {
namespace {

constexpr size_t kMXFP4Block = ggml::kMXFP4BlockBytes;

// Blocks as the quantizer writes them: e within a few octaves, one code of the largest magnitude
// (6 or 7) per block, the others smaller the larger e is.
std::vector<uint8_t> plausible_mxfp4_blocks(size_t blocks, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(blocks * kMXFP4Block);
  for (size_t b = 0; b < blocks; ++b) {
    uint8_t* block = out.data() + b * kMXFP4Block;
    const uint32_t spread = rng() % 4;
    block[0] = static_cast<uint8_t>(118 + spread);
    std::normal_distribution<double> gauss(0.0, 3.5 - spread * 0.6);
    uint8_t codes[32];
    for (auto& c : codes) {
      const long magnitude = std::min(7L, std::lround(std::fabs(gauss(rng))));
      c = static_cast<uint8_t>(magnitude | (rng() % 2) << 3);
    }
    codes[rng() % 32] = static_cast<uint8_t>(6 + rng() % 2);
    for (int k = 0; k < 16; ++k) block[1 + k] = static_cast<uint8_t>(codes[k] | codes[k + 16] << 4);
  }
  return out;
}

TEST(MXFP4Codec, RoundTripsSyntheticAndExtremeBlocks) {
  const Codec& codec = mxfp4_codec();
  EXPECT_TRUE(codec.accepts(type::kMXFP4));
  EXPECT_FALSE(codec.accepts(type::kQ4_0));
  EXPECT_EQ(specialised_codec_for(type::kMXFP4), &codec);
  test::expect_roundtrip(codec, {}, type::kMXFP4);
  for (size_t blocks : {1u, 3u, 2000u}) {
    auto plausible = plausible_mxfp4_blocks(blocks, static_cast<uint32_t>(blocks));
    const size_t size = test::expect_roundtrip(codec, plausible, type::kMXFP4);
    if (blocks > 200) {
      EXPECT_LT(size, plausible.size());
    }
    test::expect_roundtrip(
        codec, test::random_bytes(blocks * kMXFP4Block, 60 + static_cast<uint32_t>(blocks)),
        type::kMXFP4);
  }
  std::vector<uint8_t> zeros(50 * kMXFP4Block, 0), ones(50 * kMXFP4Block, 0xFF);
  test::expect_roundtrip(codec, zeros, type::kMXFP4);
  test::expect_roundtrip(codec, ones, type::kMXFP4);
  // Exponents far apart: the largest share the last context.
  auto spread = plausible_mxfp4_blocks(64, 5);
  for (size_t b = 0; b < 64; ++b) spread[b * kMXFP4Block] = static_cast<uint8_t>(b * 4);
  test::expect_roundtrip(codec, spread, type::kMXFP4);
}

TEST(MXFP4Codec, KernelsAndPortablePathsAgree) {
  const auto input = plausible_mxfp4_blocks(3000, 21);
  test::expect_codec_paths_agree(mxfp4_codec(), input, "mxfp4");
}

TEST(MXFP4Codec, RejectsRaggedInputAndHandlesCorruption) {
  std::vector<uint8_t> payload, ragged(kMXFP4Block + 1, 3);
  EXPECT_THROW(mxfp4_codec().encode(ragged, {}, payload), Error);
  test::expect_corruption_handled(mxfp4_codec(), plausible_mxfp4_blocks(200, 11), type::kMXFP4, 12);
  payload.clear();
  const auto input = plausible_mxfp4_blocks(300, 13);
  mxfp4_codec().encode(input, {}, payload);
  test::expect_damage_rejected(
      payload,
      [&](std::span<const uint8_t> damaged) {
        std::vector<uint8_t> out(input.size());
        mxfp4_codec().decode(damaged, out);
      },
      14);
}

TEST(MXFP4Codec, CorpusTensorsRoundTripAndBeatCodeEntropy) {
  LCL_REQUIRE_CORPUS();
  const auto path = test::corpus_dir() / "bytellama-25m-gguf/bytellama-25m-MXFP4.gguf";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not found";
  const auto file = test::read_gguf_for_test(path);
  uint64_t original = 0, coded = 0;
  double bound_bits = 0;
  for (const auto& t : file.tensors) {
    if (t.type != type::kMXFP4) continue;
    const size_t blocks = t.elements / 32, size = blocks * kMXFP4Block;
    std::span<const uint8_t> bytes(&file.bytes[t.offset], size);
    coded += test::expect_roundtrip(mxfp4_codec(), bytes, type::kMXFP4);
    original += size;
    // Context-blind bound: order-0 entropy of the codes, exponents raw.
    std::vector<uint64_t> counts(16, 0);
    for (size_t b = 0; b < blocks; ++b)
      for (size_t k = 1; k < kMXFP4Block; ++k) {
        ++counts[bytes[b * kMXFP4Block + k] & 0xF];
        ++counts[bytes[b * kMXFP4Block + k] >> 4];
      }
    bound_bits += entropy::entropy_bits(counts) + 8.0 * static_cast<double>(blocks);
  }
  ASSERT_GT(original, 0u);
  const double ratio = static_cast<double>(original) / static_cast<double>(coded);
  const double bound_ratio = static_cast<double>(original) * 8 / bound_bits;
  std::printf("  MXFP4 %llu -> %llu bytes, %.4fx (order-0 code bound, e raw: %.4fx)\n",
              static_cast<unsigned long long>(original), static_cast<unsigned long long>(coded),
              ratio, bound_ratio);
  EXPECT_GT(ratio, bound_ratio);
}

}  // namespace
}  // namespace lcl
