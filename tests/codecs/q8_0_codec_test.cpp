// Q8_0 codec: byte-exact round trips of synthetic and real blocks, corruption handling, and the
// coded size of the corpus tensors against the order-0 entropy of their values.
#include <gtest/gtest.h>

#include <random>

#include "codecs/q8_0/q8_0_codec.hpp"
#include "entropy/rans.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "quant_test_support.hpp"
#include "support/test_paths.hpp"
#include "util/endian.hpp"

namespace lcl {
namespace {

constexpr size_t kQ8_0Block = ggml::kQ8_0BlockBytes;

std::vector<uint8_t> plausible_q8_0_blocks(size_t blocks, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> gauss(0.0, 40.0);
  std::vector<uint8_t> out(blocks * kQ8_0Block);
  for (size_t b = 0; b < blocks; ++b) {
    uint8_t* block = out.data() + b * kQ8_0Block;
    store_u16le(block, static_cast<uint16_t>(0x1000 + rng() % 0x800));
    for (int i = 0; i < 32; ++i)
      block[2 + i] = static_cast<uint8_t>(
          static_cast<int8_t>(std::clamp(std::lround(gauss(rng)), -127L, 127L)));
  }
  return out;
}

TEST(Q8_0Codec, RoundTripsSyntheticAndExtremeBlocks) {
  const Codec& codec = q8_0_codec();
  EXPECT_TRUE(codec.accepts(type::kQ8_0));
  EXPECT_FALSE(codec.accepts(type::kQ8_1));
  test::expect_roundtrip(codec, {}, type::kQ8_0);
  for (size_t blocks : {1u, 5u, 1000u}) {
    auto plausible = plausible_q8_0_blocks(blocks, static_cast<uint32_t>(blocks));
    const size_t size = test::expect_roundtrip(codec, plausible, type::kQ8_0);
    if (blocks >= 1000) {
      EXPECT_LT(size, plausible.size());
    }
    test::expect_roundtrip(
        codec, test::random_bytes(blocks * kQ8_0Block, 30 + static_cast<uint32_t>(blocks)),
        type::kQ8_0);
  }
  std::vector<uint8_t> zeros(100 * kQ8_0Block, 0), ones(100 * kQ8_0Block, 0xFF);
  test::expect_roundtrip(codec, zeros, type::kQ8_0);
  test::expect_roundtrip(codec, ones, type::kQ8_0);
  auto odd = plausible_q8_0_blocks(16, 13);
  const uint16_t odd_halves[] = {0x7E00, 0x7C00, 0xFC00, 0x8000, 0x0001, 0x7FFF, 0xFFFF, 0x0000};
  for (size_t b = 0; b < 16; ++b) store_u16le(&odd[b * kQ8_0Block], odd_halves[b % 8]);
  test::expect_roundtrip(codec, odd, type::kQ8_0);
}

TEST(Q8_0Codec, RejectsRaggedInputAndHandlesCorruption) {
  std::vector<uint8_t> payload, ragged(kQ8_0Block * 2 + 1, 3);
  EXPECT_THROW(q8_0_codec().encode(ragged, {}, payload), Error);
  test::expect_corruption_handled(q8_0_codec(), plausible_q8_0_blocks(100, 14), type::kQ8_0, 15);
}

TEST(Q8_0Codec, CorpusTensorsRoundTripAndBeatValueEntropy) {
  LCL_REQUIRE_CORPUS();
  for (const auto& path : test::corpus_gguf_files(test::corpus_dir())) {
    const auto file = test::read_gguf_for_test(path);
    uint64_t original = 0, coded = 0;
    double bound_bits = 0;
    for (const auto& t : file.tensors) {
      if (t.type != type::kQ8_0) continue;
      const size_t blocks = t.elements / 32, size = blocks * kQ8_0Block;
      std::span<const uint8_t> bytes(&file.bytes[t.offset], size);
      coded += test::expect_roundtrip(q8_0_codec(), bytes, type::kQ8_0);
      original += size;
      std::vector<uint64_t> counts(256, 0);
      for (size_t b = 0; b < blocks; ++b)
        for (size_t i = 2; i < kQ8_0Block; ++i) ++counts[bytes[b * kQ8_0Block + i]];
      bound_bits += entropy::entropy_bits(counts) + 16.0 * static_cast<double>(blocks);
    }
    if (original == 0) continue;
    const double ratio = static_cast<double>(original) / static_cast<double>(coded);
    const double bound_ratio = static_cast<double>(original) * 8 / bound_bits;
    std::printf("  %s: Q8_0 %llu -> %llu bytes, %.4fx (order-0 value bound %.4fx)\n",
                path.filename().c_str(), static_cast<unsigned long long>(original),
                static_cast<unsigned long long>(coded), ratio, bound_ratio);
    EXPECT_GT(ratio, bound_ratio) << path;
  }
}

}  // namespace
}  // namespace lcl
