// The bit packer (bit_pack.hpp): fields written by BitWriter (bit_io.hpp) read back one by one
// (unpack_field) and eight at a time (unpack_fields), at every width and at lengths around whole
// eights.
#include <gtest/gtest.h>

#include <random>

#include "entropy/bit_io.hpp"
#include "entropy/bit_pack.hpp"

namespace lcl::entropy {
namespace {

TEST(BitPack, UnpackFieldsMatchesFieldByField) {
  std::mt19937 rng(21);
  for (uint32_t width = 1; width <= 16; ++width)
    for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{1001}}) {
      std::vector<uint16_t> values(n);
      for (auto& v : values) v = static_cast<uint16_t>(rng() & ((1u << width) - 1));
      std::vector<uint8_t> packed;
      {
        BitWriter bits(packed);
        for (uint16_t v : values) bits.bits(v, width);
      }
      ASSERT_EQ(packed.size(), packed_bytes(n, width));
      std::vector<uint16_t> back(n, 0xFFFF);
      unpack_fields(packed, width, back);
      EXPECT_EQ(back, values) << "width " << width << " n " << n;
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(unpack_field(packed, i, width), values[i]);
    }
}

}  // namespace
}  // namespace lcl::entropy
