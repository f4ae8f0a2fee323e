// The bit writer and reader (bit_io.hpp): multi-bit writes and reads agree with the
// one-bit-at-a-time definition (least significant bit first) at every alignment, gamma codes
// round-trip, and reading past the end throws lcl::Error(kCorruptInput).
#include <gtest/gtest.h>

#include <random>

#include "entropy/bit_io.hpp"
#include "lcl/error.hpp"

namespace lcl::entropy {
namespace {

TEST(BitIo, MultiBitFieldsMatchSingleBits) {
  std::mt19937 rng(7);
  std::vector<std::pair<uint32_t, unsigned>> fields;
  std::vector<uint8_t> fast_bytes, slow_bytes;
  BitCounter counter;
  {
    BitWriter fast(fast_bytes), slow(slow_bytes);
    for (int i = 0; i < 5000; ++i) {
      const unsigned count = rng() % 33;                    // 0..32
      const uint32_t value = static_cast<uint32_t>(rng());  // high bits beyond count are ignored
      fields.emplace_back(value, count);
      fast.bits(value, count);
      counter.bits(value, count);
      for (unsigned b = 0; b < count; ++b) slow.bit((value >> b) & 1);
    }
  }
  ASSERT_EQ(fast_bytes, slow_bytes);
  EXPECT_EQ(fast_bytes.size(), (counter.count() + 7) / 8);
  BitReader r(fast_bytes);
  BitReader single(fast_bytes);
  for (auto [value, count] : fields) {
    const uint32_t expected = count == 32 ? value : value & ((1u << count) - 1);
    EXPECT_EQ(r.bits(count), expected);
    uint32_t bit_by_bit = 0;
    for (unsigned b = 0; b < count; ++b) bit_by_bit |= single.bit() << b;
    EXPECT_EQ(bit_by_bit, expected);
  }
}

TEST(BitIo, GammaCodesRoundTripAndCountAsWritten) {
  const std::vector<uint32_t> values{1, 2, 3, 4, 7, 8, 255, 256, 65535, 1u << 20, 0xFFFFFFFFu};
  std::vector<uint8_t> bytes;
  BitCounter counter;
  {
    BitWriter w(bytes);
    for (uint32_t v : values) {
      w.gamma(v);
      counter.gamma(v);
    }
  }
  EXPECT_EQ(bytes.size(), (counter.count() + 7) / 8);
  BitReader r(bytes);
  for (uint32_t v : values) EXPECT_EQ(r.gamma(), v);
}

TEST(BitIo, ReadingPastTheEndThrows) {
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
}  // namespace lcl::entropy
