#pragma once
// Damaged delta payloads, for the delta codec's float and block tests: every truncation (in
// growing steps) throws, and random byte changes either decode (to other bytes, which the
// container's checksum catches) or throw kCorruptInput, never reading or writing out of bounds.
#include <gtest/gtest.h>

#include <random>
#include <span>
#include <vector>

#include "codecs/delta/delta_coder.hpp"
#include "lcl/error.hpp"

namespace lcl::test {

inline void expect_delta_damage_handled(const std::vector<uint8_t>& payload,
                                        std::span<const uint8_t> reference, size_t size,
                                        uint64_t seed) {
  std::vector<uint8_t> out(size);
  for (size_t cut = 0; cut < payload.size(); cut += 1 + cut / 8) {
    std::vector<uint8_t> truncated(payload.begin(), payload.begin() + cut);
    EXPECT_THROW(delta_format::decode_delta(truncated, reference, out), Error) << cut;
  }
  std::mt19937_64 rng(seed);
  for (int trial = 0; trial < 300; ++trial) {
    auto altered = payload;
    altered[rng() % altered.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    try {
      delta_format::decode_delta(altered, reference, out);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput);
    }
  }
}

}  // namespace lcl::test
