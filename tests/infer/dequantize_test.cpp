// The dequantizers against blocks packed by hand from the field layouts in FORMATS.md: each test
// packs chosen scales and quant values into a block the way ggml's quantizer lays them out, then
// checks every value against the per-element formula.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "infer/dequantize.hpp"
#include "infer/float_bits.hpp"
#include "lcl/error.hpp"

namespace lcl::infer {
namespace {

void put_u16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
}

TEST(FloatBits, F16KnownValues) {
  EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
  EXPECT_EQ(f16_to_f32(0xc000), -2.0f);
  EXPECT_EQ(f16_to_f32(0x3555), 0.333251953125f);
  EXPECT_EQ(f16_to_f32(0x7bff), 65504.0f);                  // largest normal
  EXPECT_EQ(f16_to_f32(0x0400), std::ldexp(1.0f, -14));     // smallest normal
  EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));     // smallest subnormal
  EXPECT_EQ(f16_to_f32(0x03ff), std::ldexp(1023.0f, -24));  // largest subnormal
  EXPECT_EQ(f16_to_f32(0x7c00), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(f16_to_f32(0x7e00)));
  const float negative_zero = f16_to_f32(0x8000);
  EXPECT_EQ(negative_zero, 0.0f);
  EXPECT_TRUE(std::signbit(negative_zero));
}

TEST(FloatBits, Bf16IsTheHighHalfOfF32) {
  EXPECT_EQ(bf16_to_f32(0x3f80), 1.0f);
  EXPECT_EQ(bf16_to_f32(0xc040), -3.0f);
  EXPECT_EQ(bf16_to_f32(0x3e20), 0.15625f);
  EXPECT_EQ(bf16_to_f32(0x7f80), std::numeric_limits<float>::infinity());
}

TEST(Dequantize, PlainFloatTypes) {
  const std::vector<uint8_t> f32 = {0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc1};  // 1, -10
  std::vector<float> out(2);
  dequantize(type::kF32, f32, out);
  EXPECT_EQ(out, (std::vector<float>{1.0f, -10.0f}));
  const std::vector<uint8_t> f16 = {0x00, 0x3c, 0x00, 0xc0};  // 1, -2
  dequantize(type::kF16, f16, out);
  EXPECT_EQ(out, (std::vector<float>{1.0f, -2.0f}));
  const std::vector<uint8_t> bf16 = {0x80, 0x3f, 0x40, 0xc0};  // 1, -3
  dequantize(type::kBF16, bf16, out);
  EXPECT_EQ(out, (std::vector<float>{1.0f, -3.0f}));
}

TEST(Dequantize, Q8_0Block) {
  std::array<uint8_t, 34> block{};
  put_u16(block.data(), 0x3800);  // d = 0.5
  for (int i = 0; i < 32; ++i) block[2 + i] = uint8_t(int8_t(i * 8 - 128));
  std::vector<float> out(32);
  dequantize(type::kQ8_0, block, out);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(out[i], 0.5f * float(i * 8 - 128)) << i;
  EXPECT_EQ(out[0], -64.0f);
  EXPECT_EQ(out[31], 60.0f);
}

// Packs eight 6-bit scales and mins the way FORMATS.md unpacks them.
std::array<uint8_t, 12> pack_q4_k_scales(const std::array<uint8_t, 8>& sc,
                                         const std::array<uint8_t, 8>& m) {
  std::array<uint8_t, 12> packed{};
  for (int j = 0; j < 4; ++j) {
    packed[j] = uint8_t((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
    packed[j + 4] = uint8_t((m[j] & 63) | ((m[j + 4] >> 4) << 6));
    packed[j + 8] = uint8_t((sc[j + 4] & 0xF) | ((m[j + 4] & 0xF) << 4));
  }
  return packed;
}

TEST(Dequantize, Q4_KBlock) {
  // Scales and mins that use all six bits, so the high bits of sub-blocks 4..7 are exercised.
  const std::array<uint8_t, 8> sc = {1, 63, 17, 32, 5, 48, 33, 60};
  const std::array<uint8_t, 8> m = {0, 2, 63, 7, 40, 19, 62, 1};
  std::array<uint8_t, 256> q{};
  for (int i = 0; i < 256; ++i) q[i] = uint8_t((i * 7 + i / 32) % 16);
  std::array<uint8_t, 144> block{};
  put_u16(block.data(), 0x2c00);      // d = 1/16
  put_u16(block.data() + 2, 0x3400);  // dmin = 1/4
  const auto scales = pack_q4_k_scales(sc, m);
  std::copy(scales.begin(), scales.end(), block.begin() + 4);
  for (int g = 0; g < 4; ++g)  // 64-value groups: low nibble sub-block 2g, high nibble 2g+1
    for (int l = 0; l < 32; ++l)
      block[16 + 32 * g + l] = uint8_t(q[64 * g + l] | (q[64 * g + 32 + l] << 4));

  std::vector<float> out(256);
  dequantize(type::kQ4_K, block, out);
  for (int i = 0; i < 256; ++i) {
    const int j = i / 32;
    EXPECT_EQ(out[i], (1.0f / 16) * float(sc[j]) * float(q[i]) - 0.25f * float(m[j])) << i;
  }
  // Two values worked out by hand: i=0 (q=0, sub-block 0: m=0) and i=255 (q=(1785+7)%16=0,
  // sub-block 7: min 1 -> -0.25); i=1: q=7, sc=1 -> 7/16.
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], 7.0f / 16);
  EXPECT_EQ(out[255], -0.25f);
}

TEST(Dequantize, Q6_KBlock) {
  std::array<int, 256> q{};  // 0..63, stored with an offset of 32
  for (int i = 0; i < 256; ++i) q[i] = (i * 37 + 11) % 64;
  std::array<int8_t, 16> scales{};
  for (int s = 0; s < 16; ++s) scales[s] = int8_t((s % 2 ? -1 : 1) * (s * 8 + 1));
  std::array<uint8_t, 210> block{};
  uint8_t* ql = block.data();
  uint8_t* qh = block.data() + 128;
  for (int half = 0; half < 2; ++half)  // ggml's packing: four values per qh byte
    for (int l = 0; l < 32; ++l) {
      const int base = 128 * half + l;
      const int q1 = q[base], q2 = q[base + 32], q3 = q[base + 64], q4 = q[base + 96];
      ql[64 * half + l] = uint8_t((q1 & 0xF) | ((q3 & 0xF) << 4));
      ql[64 * half + l + 32] = uint8_t((q2 & 0xF) | ((q4 & 0xF) << 4));
      qh[32 * half + l] =
          uint8_t((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
    }
  for (int s = 0; s < 16; ++s) block[192 + s] = uint8_t(scales[s]);
  put_u16(block.data() + 208, 0x3000);  // d = 1/8

  std::vector<float> out(256);
  dequantize(type::kQ6_K, block, out);
  for (int i = 0; i < 256; ++i)
    EXPECT_EQ(out[i], 0.125f * float(scales[i / 16]) * float(q[i] - 32)) << i;
  // By hand: i=0: q=11, scale 1 -> (11-32)/8 = -2.625; i=16: q=(592+11)%64=27, scale -9 -> 5.625.
  EXPECT_EQ(out[0], -2.625f);
  EXPECT_EQ(out[16], 5.625f);
}

TEST(Dequantize, RejectsWrongSizesAndTypes) {
  std::vector<uint8_t> bytes(144);
  std::vector<float> out(256);
  EXPECT_EQ(stored_bytes(type::kQ4_K, 512), 288u);
  EXPECT_EQ(stored_bytes(type::kQ6_K, 256), 210u);
  EXPECT_EQ(stored_bytes(type::kQ8_0, 64), 68u);
  EXPECT_EQ(stored_bytes(type::kBF16, 3), 6u);
  EXPECT_THROW(dequantize(type::kQ4_K, std::span(bytes).first(143), out), Error);
  std::vector<float> ragged(100);
  try {
    dequantize(type::kQ4_K, bytes, ragged);
    FAIL() << "a partial Q4_K block was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput);
  }
  try {
    dequantize(type::kQ5_K, bytes, out);
    FAIL() << "Q5_K was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
  }
  EXPECT_TRUE(can_dequantize(type::kQ6_K));
  EXPECT_FALSE(can_dequantize(type::kQ4_0));
}

}  // namespace
}  // namespace lcl::infer
