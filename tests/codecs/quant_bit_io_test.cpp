// The quantized codecs' bit writer and reader: multi-bit writes and reads agree with the
// one-bit-at-a-time definition (least significant bit first) at every alignment, and reading
// past the end throws lcl::Error(kCorruptInput).
#include <gtest/gtest.h>

#include <random>

#include "codecs/fields/quant_bit_io.hpp"
#include "lcl/error.hpp"

namespace lcl::quant {
namespace {

TEST(QuantBitIo, MultiBitFieldsMatchSingleBits) {
  std::mt19937 rng(7);
  std::vector<std::pair<uint32_t, unsigned>> fields;
  BitWriter fast, slow;
  for (int i = 0; i < 5000; ++i) {
    const unsigned count = rng() % 33;                    // 0..32
    const uint32_t value = static_cast<uint32_t>(rng());  // high bits beyond count are ignored
    fields.emplace_back(value, count);
    fast.bits(value, count);
    for (unsigned b = 0; b < count; ++b) slow.bit((value >> b) & 1);
  }
  ASSERT_EQ(fast.bytes(), slow.bytes());
  EXPECT_EQ(fast.bit_count(), slow.bit_count());
  BitReader r(fast.bytes());
  BitReader single(fast.bytes());
  for (auto [value, count] : fields) {
    const uint32_t expected = count == 32 ? value : value & ((1u << count) - 1);
    EXPECT_EQ(r.bits(count), expected);
    uint32_t bit_by_bit = 0;
    for (unsigned b = 0; b < count; ++b) bit_by_bit |= single.bit() << b;
    EXPECT_EQ(bit_by_bit, expected);
  }
}

TEST(QuantBitIo, ReadingPastTheEndThrows) {
  const std::vector<uint8_t> bytes{0xA5, 0x5A};
  BitReader r(bytes);
  EXPECT_EQ(r.bits(3), 0x5u);
  EXPECT_EQ(r.bits(13), 0x5AA5u >> 3);
  try {
    r.bits(1);
    FAIL() << "read past the end";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput);
  }
  BitReader wide(bytes);
  EXPECT_THROW(wide.bits(17), Error);
  EXPECT_EQ(wide.bits(16), 0x5AA5u);  // a failed read consumes nothing
}

}  // namespace
}  // namespace lcl::quant
