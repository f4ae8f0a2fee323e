// Q4_K codec: byte-exact round trips of synthetic and real blocks, corruption handling, and the
// coded size of the corpus tensors against the order-0 entropy of their nibbles.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>

#include "codecs/q4k/q4k_codec.hpp"
#include "entropy/rans.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "quant_test_support.hpp"
#include "support/test_paths.hpp"
#include "util/endian.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl {
namespace {

constexpr size_t kQ4KBlock = ggml::kQ4KBlockBytes;

// Blocks shaped like the quantizer's output: positive d/dmin around 1e-3, 6-bit scales with a
// 63 among them, nibbles peaked near each sub-block's zero point.
std::vector<uint8_t> plausible_q4k_blocks(size_t blocks, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> gauss(7.0, 3.0);
  std::vector<uint8_t> out(blocks * kQ4KBlock);
  for (size_t b = 0; b < blocks; ++b) {
    uint8_t* block = out.data() + b * kQ4KBlock;
    store_u16le(block, static_cast<uint16_t>(0x1400 + rng() % 0x300));
    store_u16le(block + 2, static_cast<uint16_t>(0x1400 + rng() % 0x300));
    uint8_t sc[8], m[8], q[256];
    for (int j = 0; j < 8; ++j) {
      sc[j] = static_cast<uint8_t>(30 + rng() % 34);
      m[j] = static_cast<uint8_t>(20 + rng() % 44);
    }
    sc[rng() % 8] = 63;
    for (auto& v : q) v = static_cast<uint8_t>(std::clamp(std::lround(gauss(rng)), 0L, 15L));
    ggml::pack_q4k_scales(sc, m, block + 4);
    ggml::pack_q4k_quants(q, block + 16);
  }
  return out;
}

TEST(Q4KFields, HalfToFloatIsExactForEveryHalf) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const int exponent = (h >> 10) & 31;
    const int mantissa = h & 1023;
    float expected = exponent == 0 ? std::ldexp(static_cast<float>(mantissa), -24)
                     : exponent == 31
                         ? (mantissa ? NAN : INFINITY)
                         : std::ldexp(static_cast<float>(mantissa + 1024), exponent - 25);
    if (h >> 15) expected = -expected;
    const float got = ggml::half_to_float(static_cast<uint16_t>(h));
    if (std::isnan(expected)) {
      EXPECT_TRUE(std::isnan(got)) << h;
    } else {
      EXPECT_EQ(std::bit_cast<uint32_t>(got), std::bit_cast<uint32_t>(expected)) << h;
    }
  }
}

TEST(Q4KFields, ScalePackingIsABijection) {
  auto bytes = test::random_bytes(12 * 1000, 1);
  for (size_t i = 0; i < 1000; ++i) {
    uint8_t sc[8], m[8], back[12];
    ggml::unpack_q4k_scales(&bytes[12 * i], sc, m);
    for (int j = 0; j < 8; ++j) {
      EXPECT_LT(sc[j], 64);
      EXPECT_LT(m[j], 64);
    }
    ggml::pack_q4k_scales(sc, m, back);
    EXPECT_EQ(0, std::memcmp(back, &bytes[12 * i], 12));
  }
}

TEST(Q4KFields, ScaleUnpackingFollowsGgml) {
  // get_scale_min_k4 of ggml, written out for sub-blocks 1 and 6.
  uint8_t packed[12];
  for (int i = 0; i < 12; ++i) packed[i] = static_cast<uint8_t>(0x35 + 37 * i);
  uint8_t sc[8], m[8];
  ggml::unpack_q4k_scales(packed, sc, m);
  EXPECT_EQ(sc[1], packed[1] & 63);
  EXPECT_EQ(m[1], packed[5] & 63);
  EXPECT_EQ(sc[6], (packed[10] & 0xF) | ((packed[2] >> 6) << 4));
  EXPECT_EQ(m[6], (packed[10] >> 4) | ((packed[6] >> 6) << 4));
}

TEST(Q4KFields, NibbleOrderFollowsGgml) {
  auto bytes = test::random_bytes(128, 2);
  uint8_t q[256], back[128];
  ggml::unpack_q4k_quants(bytes.data(), q);
  // dequantize_row_q4_K: group g's low nibbles are sub-block 2g, high nibbles sub-block 2g+1.
  EXPECT_EQ(q[32 * 2 + 5], bytes[32 * 1 + 5] & 0xF);
  EXPECT_EQ(q[32 * 7 + 31], bytes[32 * 3 + 31] >> 4);
  ggml::pack_q4k_quants(q, back);
  EXPECT_EQ(0, std::memcmp(back, bytes.data(), 128));
}

TEST(Q4KCodec, RoundTripsSyntheticBlocks) {
  const Codec& codec = q4k_codec();
  EXPECT_TRUE(codec.accepts(type::kQ4_K));
  EXPECT_FALSE(codec.accepts(type::kQ6_K));
  test::expect_roundtrip(codec, {}, type::kQ4_K);
  for (size_t blocks : {1u, 2u, 7u, 300u}) {
    auto plausible = plausible_q4k_blocks(blocks, static_cast<uint32_t>(blocks));
    const size_t size = test::expect_roundtrip(codec, plausible, type::kQ4_K);
    if (blocks >= 300) {
      EXPECT_LT(size, plausible.size());
    }
    test::expect_roundtrip(
        codec, test::random_bytes(blocks * kQ4KBlock, 10 + static_cast<uint32_t>(blocks)),
        type::kQ4_K);
  }
}

TEST(Q4KCodec, RoundTripsExtremeBlocks) {
  const Codec& codec = q4k_codec();
  std::vector<uint8_t> zeros(64 * kQ4KBlock, 0), ones(64 * kQ4KBlock, 0xFF);
  test::expect_roundtrip(codec, zeros, type::kQ4_K);
  test::expect_roundtrip(codec, ones, type::kQ4_K);
  // NaN, infinities, negative zero and subnormals in d and dmin, with ordinary fields around them.
  auto blocks = plausible_q4k_blocks(64, 3);
  const uint16_t odd_halves[] = {0x7E00, 0x7C00, 0xFC00, 0x8000, 0x0001, 0x7FFF, 0xFFFF, 0x0000};
  for (size_t b = 0; b < 64; ++b) {
    store_u16le(&blocks[b * kQ4KBlock], odd_halves[b % 8]);
    store_u16le(&blocks[b * kQ4KBlock + 2], odd_halves[(b / 8) % 8]);
  }
  test::expect_roundtrip(codec, blocks, type::kQ4_K);
}

// The AVX-512 code (zero-point buckets, nibble lanes) and the portable code read each other's
// payloads: the format does not depend on the path, including for extreme d, dmin, scales and mins.
TEST(Q4KCodec, KernelAndPortablePathsReadEachOther) {
  std::vector<uint8_t> blocks = plausible_q4k_blocks(300, 11);
  std::mt19937 rng(12);
  for (size_t b = 0; b < 300; b += 3)  // odd halves: zero, subnormal, infinite, NaN d and dmin
    for (int k = 0; k < 4; ++k)
      blocks[b * kQ4KBlock + k] = static_cast<uint8_t>(k % 2 ? rng() % 256 : (rng() % 8) * 32);
  const Codec& codec = q4k_codec();
  EncodeContext context;
  context.type = type::kQ4_K;
  for (bool encode_portable : {false, true}) {
    std::vector<uint8_t> payload;
    kernels::force_portable(encode_portable);
    codec.encode(blocks, context, payload);
    kernels::force_portable(!encode_portable);
    std::vector<uint8_t> back(blocks.size());
    codec.decode(payload, back);
    kernels::force_portable(false);
    EXPECT_EQ(back, blocks) << (encode_portable ? "portable -> kernels" : "kernels -> portable");
  }
}

TEST(Q4KCodec, RejectsRaggedInput) {
  std::vector<uint8_t> payload;
  std::vector<uint8_t> ragged(kQ4KBlock + 5, 1);
  try {
    q4k_codec().encode(ragged, {}, payload);
    FAIL() << "ragged input accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
  }
}

TEST(Q4KCodec, HandlesCorruptPayloads) {
  auto blocks = plausible_q4k_blocks(40, 4);
  test::expect_corruption_handled(q4k_codec(), blocks, type::kQ4_K, 5);
}

TEST(Q4KCodec, CorpusTensorsRoundTripAndBeatNibbleEntropy) {
  LCL_REQUIRE_CORPUS();
  for (const auto& path : test::corpus_gguf_files(test::corpus_dir())) {
    const auto file = test::read_gguf_for_test(path);
    uint64_t original = 0, coded = 0;
    double order0_bound_bits = 0;
    for (const auto& t : file.tensors) {
      if (t.type != type::kQ4_K) continue;
      const size_t size = t.elements / 256 * kQ4KBlock;
      std::span<const uint8_t> bytes(&file.bytes[t.offset], size);
      coded += test::expect_roundtrip(q4k_codec(), bytes, type::kQ4_K);
      original += size;
      // The bound a field-blind coder would reach: order-0 nibble entropy plus the 16 header
      // bytes of each block stored as they are.
      std::vector<uint64_t> counts(16, 0);
      for (size_t b = 0; b < size / kQ4KBlock; ++b)
        for (size_t i = 16; i < kQ4KBlock; ++i) {
          ++counts[bytes[b * kQ4KBlock + i] & 0xF];
          ++counts[bytes[b * kQ4KBlock + i] >> 4];
        }
      order0_bound_bits +=
          entropy::entropy_bits(counts) + 16.0 * 8 * static_cast<double>(size / kQ4KBlock);
    }
    if (original == 0) continue;
    const double ratio = static_cast<double>(original) / static_cast<double>(coded);
    const double bound_ratio = static_cast<double>(original) * 8 / order0_bound_bits;
    std::printf("  %s: Q4_K %llu -> %llu bytes, %.4fx (order-0 nibble bound %.4fx)\n",
                path.filename().c_str(), static_cast<unsigned long long>(original),
                static_cast<unsigned long long>(coded), ratio, bound_ratio);
    EXPECT_GT(ratio, bound_ratio) << path;
  }
}

}  // namespace
}  // namespace lcl
