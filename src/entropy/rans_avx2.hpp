#pragma once
// The rANS steps shared by the AVX2 kernels (fp8 decoder, delta coder): 8 lanes of 32-bit states
// per vector, renormalised 16 bits at a time as entropy/rans_tables.hpp does, the words of a
// vector's lanes consecutive in the stream in lane order. Internal to the *_avx2.cpp files, which
// compile these under LCL_AVX2_KERNEL.
#include <immintrin.h>

#include <array>
#include <cstdint>

#include "util/kernel_dispatch.hpp"

namespace lcl::rans_avx2 {

// Per 8-bit mask of lanes, a permutevar8x32 index vector. Decoding (to_top false): lane j takes
// the word at its rank among the masked lanes (the number of them before it), so the masked lanes
// read the next words in lane order. Encoding (to_top true): the masked lanes move, in lane
// order, to the top lanes of the vector. Unused positions read lane 0 (discarded by the caller).
constexpr std::array<std::array<uint32_t, 8>, 256> make_lane_permutations(bool to_top) {
  std::array<std::array<uint32_t, 8>, 256> t{};
  for (uint32_t m = 0; m < 256; ++m) {
    uint32_t rank = to_top ? 8 - static_cast<uint32_t>(__builtin_popcount(m)) : 0;
    for (uint32_t j = 0; j < 8; ++j)
      if (m >> j & 1) {
        if (to_top)
          t[m][rank] = j;
        else
          t[m][j] = rank;
        ++rank;
      }
  }
  return t;
}
alignas(32) inline constexpr auto kWordPermutations = make_lane_permutations(false);
alignas(32) inline constexpr auto kTopPermutations = make_lane_permutations(true);

// Decoder: refills the lanes at or below 0xFFFF with the next words at p (16 readable bytes), in
// lane order, and advances p past them.
LCL_AVX2_KERNEL inline __m256i renormalize(__m256i x, const uint8_t*& p) {
  const __m256i need = _mm256_cmpeq_epi32(_mm256_min_epu32(x, _mm256_set1_epi32(0xFFFF)), x);
  const auto mask = static_cast<uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(need)));
  const __m256i words = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  const __m256i perm =
      _mm256_load_si256(reinterpret_cast<const __m256i*>(kWordPermutations[mask].data()));
  const __m256i refilled =
      _mm256_or_si256(_mm256_slli_epi32(x, 16), _mm256_permutevar8x32_epi32(words, perm));
  p += 2 * _mm_popcnt_u32(mask);
  return _mm256_blendv_epi8(x, refilled, need);
}

// The 32 states of a four-vector kernel, in and out of memory.
LCL_AVX2_KERNEL inline void load_states(const uint32_t* xs, __m256i& x0, __m256i& x1, __m256i& x2,
                                        __m256i& x3) {
  x0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs));
  x1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs + 8));
  x2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs + 16));
  x3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs + 24));
}
LCL_AVX2_KERNEL inline void store_states(uint32_t* xs, __m256i x0, __m256i x1, __m256i x2,
                                         __m256i x3) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(xs), x0);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(xs + 8), x1);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(xs + 16), x2);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(xs + 24), x3);
}

}  // namespace lcl::rans_avx2
