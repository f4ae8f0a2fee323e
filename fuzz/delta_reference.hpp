#pragma once
// The reference bytes fuzz_delta decodes its payloads against, which tools/make_fuzz_seeds.cpp
// also codes its seeds against: plausible bf16 / fp32 weight bytes from a xorshift generator.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lcl::fuzz {

inline std::vector<uint8_t> delta_reference(uint8_t seed, size_t size) {
  std::vector<uint8_t> out(size);
  uint64_t x = 0x9E3779B97F4A7C15ull * (seed + 1u);
  for (size_t i = 0; i < size; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    // Odd bytes (the high byte of a little-endian 16-bit word) in the range of weights near 2^-6.
    out[i] = (i & 1) ? static_cast<uint8_t>(0x3c | (x & 0x80)) : static_cast<uint8_t>(x >> 8);
  }
  return out;
}

}  // namespace lcl::fuzz
