// Q5_K codec: byte-exact round trips of synthetic and real blocks, corruption handling, and the
// coded size of the corpus tensors against the order-0 entropy of their 5-bit values.
#include <gtest/gtest.h>

#include <random>

#include "codecs/q5k/q5k_codec.hpp"
#include "codecs/registry.hpp"
#include "entropy/rans.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "quant_test_support.hpp"
#include "support/test_paths.hpp"
#include "util/endian.hpp"

namespace lcl {
namespace {

constexpr size_t kQ5KBlock = ggml::kQ5KBlockBytes;

// Blocks as a quantizer writes them: per sub-block a scale and a min, values around the grid
// point where zero falls, each sub-block's smallest value 0, the largest scale 63.
std::vector<uint8_t> plausible_q5k_blocks(size_t blocks, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(blocks * kQ5KBlock);
  for (size_t b = 0; b < blocks; ++b) {
    uint8_t* block = out.data() + b * kQ5KBlock;
    store_u16le(block, static_cast<uint16_t>(0x1000 + rng() % 0x400));
    store_u16le(block + 2, static_cast<uint16_t>(0x1400 + rng() % 0x400));
    uint8_t sc[8], m[8], q[256];
    for (int j = 0; j < 8; ++j) {
      sc[j] = static_cast<uint8_t>(j == 3 ? 63 : 30 + rng() % 34);
      m[j] = static_cast<uint8_t>(rng() % 64);
      std::normal_distribution<double> gauss(8.0 + rng() % 16, 4.0);
      for (int l = 0; l < 32; ++l)
        q[32 * j + l] = static_cast<uint8_t>(std::clamp(std::lround(gauss(rng)), 0L, 31L));
      q[32 * j + rng() % 32] = 0;
    }
    ggml::pack_q4k_scales(sc, m, block + 4);
    ggml::pack_q5k_quants(q, block + 16, block + 48);
  }
  return out;
}

TEST(Q5KFields, QuantUnpackingFollowsGgml) {
  auto bytes = test::random_bytes(160, 5);
  const uint8_t* qh = bytes.data();
  const uint8_t* qs = bytes.data() + 32;
  uint8_t q[256], qh_back[32], qs_back[128];
  ggml::unpack_q5k_quants(qh, qs, q);
  // dequantize_row_q5_K: 64-value group g uses qs[32g..32g+31], low nibbles with qh bit 2g, high
  // nibbles with qh bit 2g+1.
  for (int g = 0; g < 4; ++g)
    for (int l = 0; l < 32; ++l) {
      EXPECT_EQ(q[64 * g + l], (qs[32 * g + l] & 0xF) + ((qh[l] >> (2 * g)) & 1) * 16);
      EXPECT_EQ(q[64 * g + 32 + l], (qs[32 * g + l] >> 4) + ((qh[l] >> (2 * g + 1)) & 1) * 16);
    }
  ggml::pack_q5k_quants(q, qh_back, qs_back);
  EXPECT_EQ(0, std::memcmp(qh_back, qh, 32));
  EXPECT_EQ(0, std::memcmp(qs_back, qs, 128));
}

TEST(Q5KCodec, RoundTripsSyntheticAndExtremeBlocks) {
  const Codec& codec = q5k_codec();
  EXPECT_TRUE(codec.accepts(type::kQ5_K));
  EXPECT_FALSE(codec.accepts(type::kQ4_K));
  EXPECT_EQ(specialised_codec_for(type::kQ5_K), &codec);
  test::expect_roundtrip(codec, {}, type::kQ5_K);
  for (size_t blocks : {1u, 3u, 257u}) {
    auto plausible = plausible_q5k_blocks(blocks, static_cast<uint32_t>(blocks));
    const size_t size = test::expect_roundtrip(codec, plausible, type::kQ5_K);
    if (blocks > 200) {
      EXPECT_LT(size, plausible.size());
    }
    test::expect_roundtrip(
        codec, test::random_bytes(blocks * kQ5KBlock, 40 + static_cast<uint32_t>(blocks)),
        type::kQ5_K);
  }
  std::vector<uint8_t> zeros(50 * kQ5KBlock, 0), ones(50 * kQ5KBlock, 0xFF);
  test::expect_roundtrip(codec, zeros, type::kQ5_K);
  test::expect_roundtrip(codec, ones, type::kQ5_K);
  // Halves that make the zero point and the predicted min NaN, infinite or zero.
  auto odd = plausible_q5k_blocks(16, 9);
  const uint16_t odd_halves[] = {0x7E00, 0x7C00, 0xFC00, 0x8000, 0x0001, 0x7FFF, 0xFFFF, 0x0000};
  for (size_t b = 0; b < 16; ++b) {
    store_u16le(&odd[b * kQ5KBlock], odd_halves[b % 8]);
    store_u16le(&odd[b * kQ5KBlock + 2], odd_halves[(b + 3) % 8]);
  }
  test::expect_roundtrip(codec, odd, type::kQ5_K);
}

TEST(Q5KCodec, KernelsAndPortablePathsAgree) {
  const auto plausible = plausible_q5k_blocks(300, 21);
  // Blocks whose halves make the zero point and the predicted min NaN, infinite, zero or
  // subnormal: the AVX2 buckets must match the portable ones there too.
  auto odd = plausible_q5k_blocks(64, 22);
  const uint16_t odd_halves[] = {0x7E00, 0x7C00, 0xFC00, 0x8000, 0x0001,
                                 0x7FFF, 0xFFFF, 0x0000, 0x3C00, 0x0400};
  for (size_t b = 0; b < 64; ++b) {
    store_u16le(&odd[b * kQ5KBlock], odd_halves[b % 10]);
    store_u16le(&odd[b * kQ5KBlock + 2], odd_halves[(b / 10 + b) % 10]);
  }
  const auto random = test::random_bytes(257 * kQ5KBlock, 23);  // every kind of half
  const std::vector<uint8_t>* inputs[] = {&plausible, &odd, &random};
  for (const auto* input_ptr : inputs) {
    const auto& input = *input_ptr;
    test::expect_codec_paths_agree(q5k_codec(), input, "q5k");
  }
}

// The AVX2 decoder restores the value groups straight into qs and qh (the last block on the
// portable path): damaged payloads decode to the same bytes, or fail, on both paths, with one
// block or many.
TEST(Q5KCodec, KernelsAndPortableDecodeDamagedPayloadsAlike) {
  for (size_t blocks : {size_t{1}, size_t{2}, size_t{300}}) {
    const auto input = plausible_q5k_blocks(blocks, 24 + static_cast<uint32_t>(blocks));
    std::vector<uint8_t> payload;
    q5k_codec().encode(input, {}, payload);
    const int decoded = test::expect_damage_decoded_alike(payload, [&](const auto& damaged) {
      std::vector<uint8_t> out(input.size());
      q5k_codec().decode(damaged, out);
      return out;
    });
    EXPECT_LT(decoded, 200) << blocks << " blocks: some flips must be caught";
  }
}

TEST(Q5KCodec, RejectsRaggedInputAndHandlesCorruption) {
  std::vector<uint8_t> payload, ragged(kQ5KBlock - 1, 3);
  EXPECT_THROW(q5k_codec().encode(ragged, {}, payload), Error);
  test::expect_corruption_handled(q5k_codec(), plausible_q5k_blocks(30, 11), type::kQ5_K, 12);
  payload.clear();
  const auto input = plausible_q5k_blocks(40, 13);
  q5k_codec().encode(input, {}, payload);
  test::expect_damage_rejected(
      payload,
      [&](std::span<const uint8_t> damaged) {
        std::vector<uint8_t> out(input.size());
        q5k_codec().decode(damaged, out);
      },
      14);
}

TEST(Q5KCodec, CorpusTensorsRoundTripAndBeatValueEntropy) {
  LCL_REQUIRE_CORPUS();
  const auto path = test::corpus_dir() / "bytellama-25m-gguf/bytellama-25m-Q5_K_M.gguf";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not found";
  const auto file = test::read_gguf_for_test(path);
  uint64_t original = 0, coded = 0;
  int compared = 0;
  double bound_bits = 0;
  for (const auto& t : file.tensors) {
    if (t.type != type::kQ5_K) continue;
    const size_t blocks = t.elements / 256, size = blocks * kQ5KBlock;
    std::span<const uint8_t> bytes(&file.bytes[t.offset], size);
    coded += test::expect_roundtrip(q5k_codec(), bytes, type::kQ5_K);
    original += size;
    // The kernels (AVX-512 or AVX2 where the CPU has them) write and read the portable bytes.
    if (++compared <= 8) test::expect_codec_paths_agree(q5k_codec(), bytes, t.name);
    // Field-blind bound: order-0 entropy of the reassembled 5-bit values, d, dmin and scales raw.
    std::vector<uint64_t> counts(32, 0);
    for (size_t b = 0; b < blocks; ++b) {
      uint8_t q[256];
      ggml::unpack_q5k_quants(&bytes[b * kQ5KBlock + 16], &bytes[b * kQ5KBlock + 48], q);
      for (uint8_t v : q) ++counts[v];
    }
    bound_bits += entropy::entropy_bits(counts) + 16.0 * 8 * static_cast<double>(blocks);
  }
  ASSERT_GT(original, 0u);
  const double ratio = static_cast<double>(original) / static_cast<double>(coded);
  const double bound_ratio = static_cast<double>(original) * 8 / bound_bits;
  std::printf("  Q5_K %llu -> %llu bytes, %.4fx (order-0 value bound %.4fx)\n",
              static_cast<unsigned long long>(original), static_cast<unsigned long long>(coded),
              ratio, bound_ratio);
  EXPECT_GT(ratio, bound_ratio);
}

}  // namespace
}  // namespace lcl
