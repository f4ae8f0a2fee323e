// Q6_K codec: byte-exact round trips of synthetic and real blocks, corruption handling, and the
// coded size of the corpus tensors against the order-0 entropy of their 6-bit values.
#include <gtest/gtest.h>

#include <random>

#include "codecs/q6k/q6k_codec.hpp"
#include "entropy/rans.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "quant_test_support.hpp"
#include "support/test_paths.hpp"
#include "util/endian.hpp"

namespace lcl {
namespace {

constexpr size_t kQ6KBlock = ggml::kQ6KBlockBytes;

std::vector<uint8_t> plausible_q6k_blocks(size_t blocks, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> gauss(32.0, 8.0);
  std::vector<uint8_t> out(blocks * kQ6KBlock);
  for (size_t b = 0; b < blocks; ++b) {
    uint8_t* block = out.data() + b * kQ6KBlock;
    uint8_t q[256];
    for (auto& v : q) v = static_cast<uint8_t>(std::clamp(std::lround(gauss(rng)), 0L, 63L));
    ggml::pack_q6k_quants(q, block, block + 128);
    for (int j = 0; j < 16; ++j)
      block[192 + j] = static_cast<uint8_t>(static_cast<int8_t>(-128 + rng() % 100));
    store_u16le(block + 208, static_cast<uint16_t>(0x0800 + rng() % 0x400));
  }
  return out;
}

TEST(Q6KFields, QuantUnpackingFollowsGgml) {
  auto bytes = test::random_bytes(192, 7);
  uint8_t q[256], ql[128], qh[64];
  ggml::unpack_q6k_quants(bytes.data(), bytes.data() + 128, q);
  // dequantize_row_q6_K, second half (n = 1), l = 3: q3 = (ql[64+3] >> 4) | ((qh[32+3] >> 4) & 3)
  // << 4.
  EXPECT_EQ(q[128 + 3 + 64], (bytes[64 + 3] >> 4) | (((bytes[128 + 32 + 3] >> 4) & 3) << 4));
  EXPECT_EQ(q[5 + 32], (bytes[5 + 32] & 0xF) | (((bytes[128 + 5] >> 2) & 3) << 4));
  ggml::pack_q6k_quants(q, ql, qh);
  EXPECT_EQ(0, std::memcmp(ql, bytes.data(), 128));
  EXPECT_EQ(0, std::memcmp(qh, bytes.data() + 128, 64));
}

TEST(Q6KCodec, RoundTripsSyntheticAndExtremeBlocks) {
  const Codec& codec = q6k_codec();
  EXPECT_TRUE(codec.accepts(type::kQ6_K));
  EXPECT_FALSE(codec.accepts(type::kQ4_K));
  test::expect_roundtrip(codec, {}, type::kQ6_K);
  for (size_t blocks : {1u, 3u, 257u}) {
    auto plausible = plausible_q6k_blocks(blocks, static_cast<uint32_t>(blocks));
    const size_t size = test::expect_roundtrip(codec, plausible, type::kQ6_K);
    if (blocks > 200) {
      EXPECT_LT(size, plausible.size());
    }
    test::expect_roundtrip(
        codec, test::random_bytes(blocks * kQ6KBlock, 20 + static_cast<uint32_t>(blocks)),
        type::kQ6_K);
  }
  std::vector<uint8_t> zeros(50 * kQ6KBlock, 0), ones(50 * kQ6KBlock, 0xFF);
  test::expect_roundtrip(codec, zeros, type::kQ6_K);
  test::expect_roundtrip(codec, ones, type::kQ6_K);
  auto odd = plausible_q6k_blocks(16, 9);
  const uint16_t odd_halves[] = {0x7E00, 0x7C00, 0xFC00, 0x8000, 0x0001, 0x7FFF, 0xFFFF, 0x0000};
  for (size_t b = 0; b < 16; ++b) store_u16le(&odd[b * kQ6KBlock + 208], odd_halves[b % 8]);
  test::expect_roundtrip(codec, odd, type::kQ6_K);
}

TEST(Q6KCodec, RejectsRaggedInputAndHandlesCorruption) {
  std::vector<uint8_t> payload, ragged(kQ6KBlock - 1, 3);
  EXPECT_THROW(q6k_codec().encode(ragged, {}, payload), Error);
  test::expect_corruption_handled(q6k_codec(), plausible_q6k_blocks(30, 11), type::kQ6_K, 12);
}

TEST(Q6KCodec, CorpusTensorsRoundTripAndBeatValueEntropy) {
  LCL_REQUIRE_CORPUS();
  for (const auto& path : test::corpus_gguf_files(test::corpus_dir())) {
    const auto file = test::read_gguf_for_test(path);
    uint64_t original = 0, coded = 0;
    double bound_bits = 0;
    for (const auto& t : file.tensors) {
      if (t.type != type::kQ6_K) continue;
      const size_t blocks = t.elements / 256, size = blocks * kQ6KBlock;
      std::span<const uint8_t> bytes(&file.bytes[t.offset], size);
      coded += test::expect_roundtrip(q6k_codec(), bytes, type::kQ6_K);
      original += size;
      // Field-blind bound: order-0 entropy of the reassembled 6-bit values, scales and d raw.
      std::vector<uint64_t> counts(64, 0);
      for (size_t b = 0; b < blocks; ++b) {
        uint8_t q[256];
        ggml::unpack_q6k_quants(&bytes[b * kQ6KBlock], &bytes[b * kQ6KBlock + 128], q);
        for (uint8_t v : q) ++counts[v];
      }
      bound_bits += entropy::entropy_bits(counts) + 18.0 * 8 * static_cast<double>(blocks);
    }
    if (original == 0) continue;
    const double ratio = static_cast<double>(original) / static_cast<double>(coded);
    const double bound_ratio = static_cast<double>(original) * 8 / bound_bits;
    std::printf("  %s: Q6_K %llu -> %llu bytes, %.4fx (order-0 value bound %.4fx)\n",
                path.filename().c_str(), static_cast<unsigned long long>(original),
                static_cast<unsigned long long>(coded), ratio, bound_ratio);
    EXPECT_GT(ratio, bound_ratio) << path;
  }
}

}  // namespace
}  // namespace lcl
