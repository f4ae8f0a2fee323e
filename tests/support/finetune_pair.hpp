#pragma once
// Synthetic (base, fine-tune) pairs of float tensors: a fine-tune element is its base element
// moved by a few units in the last place (as training with a small learning rate moves trained
// weights), with some left unchanged and a few moved far.
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace lcl::test {

// Bits of a plausible weight of `bytes` (2: bf16 when !fp16, else fp16; 4: fp32): random sign, an
// exponent in a band around 2^-6, random mantissa.
inline uint32_t random_weight_bits(std::mt19937_64& rng, int bytes, bool fp16) {
  std::geometric_distribution<int> below(0.5);
  const uint32_t sign = rng() & 1;
  if (bytes == 4) {
    const uint32_t e = 127 - 4 - static_cast<uint32_t>(std::min(below(rng), 20));
    return sign << 31 | e << 23 | static_cast<uint32_t>(rng() & 0x7fffff);
  }
  if (fp16) {
    const uint32_t e = 15 - 4 - static_cast<uint32_t>(std::min(below(rng), 9));
    return sign << 15 | e << 10 | static_cast<uint32_t>(rng() & 0x3ff);
  }
  const uint32_t e = 127 - 4 - static_cast<uint32_t>(std::min(below(rng), 20));
  return sign << 15 | e << 7 | static_cast<uint32_t>(rng() & 0x7f);
}

// The ordered-code move of one element: 0 with probability 1/3, else a small signed step (larger
// for fp32, whose units in the last place are far smaller), rarely a jump anywhere.
inline int64_t random_move(std::mt19937_64& rng, int bytes) {
  const uint64_t r = rng() % 1000;
  if (r < 333) return 0;
  if (r < 336) return static_cast<int64_t>(rng() % 60000) - 30000;
  std::geometric_distribution<int> size(bytes == 4 ? 0.001 : 0.3);
  const int64_t step = 1 + size(rng);
  return (rng() & 1) ? step : -step;
}

struct FloatPair {
  std::vector<uint8_t> base, tuned;
};

// n elements of `bytes` each; fp16 selects fp16 over bf16 for 2-byte elements.
inline FloatPair make_float_pair(size_t n, int bytes, bool fp16, uint64_t seed) {
  std::mt19937_64 rng(seed);
  FloatPair pair;
  pair.base.resize(n * bytes);
  pair.tuned.resize(n * bytes);
  const uint64_t sign = uint64_t{1} << (8 * bytes - 1);
  const uint64_t all = bytes == 4 ? 0xffffffffu : 0xffffu;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t b = random_weight_bits(rng, bytes, fp16);
    // Moves happen in the ordered code (sign-magnitude to two's complement), wrapping around.
    const uint64_t ordered = (b & sign) ? (~b & all) : (b | sign);
    const uint64_t moved =
        static_cast<uint64_t>(static_cast<int64_t>(ordered) + random_move(rng, bytes)) & all;
    const uint64_t t = (moved & sign) ? (moved ^ sign) : (~moved & all);
    std::memcpy(&pair.base[i * bytes], &b, bytes);  // little-endian host
    std::memcpy(&pair.tuned[i * bytes], &t, bytes);
  }
  return pair;
}

}  // namespace lcl::test
