// Q3_K codec: byte-exact round trips of synthetic and real blocks, corruption handling, and the
// coded size of the corpus tensors against the order-0 entropy of their 3-bit values.
#include <gtest/gtest.h>

#include <random>

#include "codecs/q3k/q3k_codec.hpp"
#include "codecs/registry.hpp"
#include "entropy/rans.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "quant_test_support.hpp"
#include "support/test_paths.hpp"
#include "util/endian.hpp"

namespace lcl {
namespace {

constexpr size_t kQ3KBlock = ggml::kQ3KBlockBytes;

// Blocks as the quantizer writes them: values around 4 with each 16-value group's extreme at 0,
// scales (stored + 32) with one 0 per block.
std::vector<uint8_t> plausible_q3k_blocks(size_t blocks, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> gauss(4.0, 1.6);
  std::vector<uint8_t> out(blocks * kQ3KBlock);
  for (size_t b = 0; b < blocks; ++b) {
    uint8_t* block = out.data() + b * kQ3KBlock;
    uint8_t q[256], sc[16];
    for (auto& v : q) v = static_cast<uint8_t>(std::clamp(std::lround(gauss(rng)), 0L, 7L));
    for (int g = 0; g < 16; ++g) {
      q[16 * g + rng() % 16] = 0;
      sc[g] = static_cast<uint8_t>(g == 5 ? 0 : rng() % 32);
    }
    ggml::pack_q3k_quants(q, block, block + 32);
    ggml::pack_q3k_scales(sc, block + 96);
    store_u16le(block + 108, static_cast<uint16_t>(0x0800 + rng() % 0x400));
  }
  return out;
}

TEST(Q3KFields, UnpackingFollowsGgml) {
  auto bytes = test::random_bytes(108, 3);
  const uint8_t* hmask = bytes.data();
  const uint8_t* qs = bytes.data() + 32;
  const uint8_t* scales = bytes.data() + 96;
  uint8_t q[256], sc[16], hmask_back[32], qs_back[64], scales_back[12];
  ggml::unpack_q3k_quants(hmask, qs, q);
  ggml::unpack_q3k_scales(scales, sc);
  // dequantize_row_q3_K: 128-value half n, shift 2j and hmask bit m = 1 << (4n + j) for the 32
  // values 128n + 32j + l (l < 32), which use scale 8n + 2j + l / 16.
  for (int n = 0; n < 2; ++n)
    for (int j = 0; j < 4; ++j)
      for (int l = 0; l < 32; ++l) {
        const int low = (qs[32 * n + l] >> (2 * j)) & 3;
        const int high = (hmask[l] >> (4 * n + j)) & 1;
        EXPECT_EQ(q[128 * n + 32 * j + l], low + 4 * high);
      }
  // ggml's aux words: scale s's low 4 bits from byte s % 8 (high nibble for s >= 8), high 2 bits
  // from byte 8 + s % 4 at bit 2 (s / 4).
  uint32_t aux[4];
  std::memcpy(aux, scales, 12);
  const uint32_t tmp = aux[2];
  aux[2] = ((aux[0] >> 4) & 0x0f0f0f0f) | (((tmp >> 4) & 0x03030303) << 4);
  aux[3] = ((aux[1] >> 4) & 0x0f0f0f0f) | (((tmp >> 6) & 0x03030303) << 4);
  aux[0] = (aux[0] & 0x0f0f0f0f) | (((tmp >> 0) & 0x03030303) << 4);
  aux[1] = (aux[1] & 0x0f0f0f0f) | (((tmp >> 2) & 0x03030303) << 4);
  uint8_t expected[16];
  std::memcpy(expected, aux, 16);
  for (int s = 0; s < 16; ++s) EXPECT_EQ(sc[s], expected[s]) << s;
  ggml::pack_q3k_quants(q, hmask_back, qs_back);
  ggml::pack_q3k_scales(sc, scales_back);
  EXPECT_EQ(0, std::memcmp(hmask_back, hmask, 32));
  EXPECT_EQ(0, std::memcmp(qs_back, qs, 64));
  EXPECT_EQ(0, std::memcmp(scales_back, scales, 12));
}

TEST(Q3KCodec, RoundTripsSyntheticAndExtremeBlocks) {
  const Codec& codec = q3k_codec();
  EXPECT_TRUE(codec.accepts(type::kQ3_K));
  EXPECT_FALSE(codec.accepts(type::kQ2_K));
  EXPECT_EQ(specialised_codec_for(type::kQ3_K), &codec);
  test::expect_roundtrip(codec, {}, type::kQ3_K);
  for (size_t blocks : {1u, 3u, 257u}) {
    auto plausible = plausible_q3k_blocks(blocks, static_cast<uint32_t>(blocks));
    const size_t size = test::expect_roundtrip(codec, plausible, type::kQ3_K);
    if (blocks > 200) {
      EXPECT_LT(size, plausible.size());
    }
    test::expect_roundtrip(
        codec, test::random_bytes(blocks * kQ3KBlock, 80 + static_cast<uint32_t>(blocks)),
        type::kQ3_K);
  }
  std::vector<uint8_t> zeros(50 * kQ3KBlock, 0), ones(50 * kQ3KBlock, 0xFF);
  test::expect_roundtrip(codec, zeros, type::kQ3_K);
  test::expect_roundtrip(codec, ones, type::kQ3_K);
}

TEST(Q3KCodec, KernelsAndPortablePathsAgree) {
  const auto input = plausible_q3k_blocks(300, 21);
  test::expect_codec_paths_agree(q3k_codec(), input, "q3k");
}

TEST(Q3KCodec, RejectsRaggedInputAndHandlesCorruption) {
  std::vector<uint8_t> payload, ragged(kQ3KBlock - 1, 3);
  EXPECT_THROW(q3k_codec().encode(ragged, {}, payload), Error);
  test::expect_corruption_handled(q3k_codec(), plausible_q3k_blocks(30, 11), type::kQ3_K, 12);
  payload.clear();
  const auto input = plausible_q3k_blocks(40, 13);
  q3k_codec().encode(input, {}, payload);
  test::expect_damage_rejected(
      payload,
      [&](std::span<const uint8_t> damaged) {
        std::vector<uint8_t> out(input.size());
        q3k_codec().decode(damaged, out);
      },
      14);
}

TEST(Q3KCodec, CorpusTensorsRoundTripAndBeatValueEntropy) {
  LCL_REQUIRE_CORPUS();
  const auto path = test::corpus_dir() / "bytellama-25m-gguf/bytellama-25m-Q3_K.gguf";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not found";
  const auto file = test::read_gguf_for_test(path);
  uint64_t original = 0, coded = 0;
  int compared = 0;
  double bound_bits = 0;
  for (const auto& t : file.tensors) {
    if (t.type != type::kQ3_K) continue;
    const size_t blocks = t.elements / 256, size = blocks * kQ3KBlock;
    std::span<const uint8_t> bytes(&file.bytes[t.offset], size);
    coded += test::expect_roundtrip(q3k_codec(), bytes, type::kQ3_K);
    original += size;
    // The kernels (AVX-512 or AVX2 where the CPU has them) write and read the portable bytes.
    if (++compared <= 8) test::expect_codec_paths_agree(q3k_codec(), bytes, t.name);
    // Field-blind bound: order-0 entropy of the reassembled 3-bit values, scales and d raw.
    std::vector<uint64_t> counts(8, 0);
    for (size_t b = 0; b < blocks; ++b) {
      uint8_t q[256];
      ggml::unpack_q3k_quants(&bytes[b * kQ3KBlock], &bytes[b * kQ3KBlock + 32], q);
      for (uint8_t v : q) ++counts[v];
    }
    bound_bits += entropy::entropy_bits(counts) + 14.0 * 8 * static_cast<double>(blocks);
  }
  ASSERT_GT(original, 0u);
  const double ratio = static_cast<double>(original) / static_cast<double>(coded);
  const double bound_ratio = static_cast<double>(original) * 8 / bound_bits;
  std::printf("  Q3_K %llu -> %llu bytes, %.4fx (order-0 value bound %.4fx)\n",
              static_cast<unsigned long long>(original), static_cast<unsigned long long>(coded),
              ratio, bound_ratio);
  EXPECT_GT(ratio, bound_ratio);
}

}  // namespace
}  // namespace lcl
