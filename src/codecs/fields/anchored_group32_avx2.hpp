#pragma once
// Internal to the AVX2 kernels that restore anchored groups of 32 values (quant_anchored_avx2.cpp,
// and Q5_K's restore-and-pack, q5k/q5k_avx2.cpp): one group in two vectors of 16-bit lanes,
// shifted one lane from the anchor on by a blend against the vectors moved one lane. Compiled
// under LCL_AVX2_KERNEL by those files only.
#include <immintrin.h>

#include <cstdint>

#include "util/kernel_dispatch.hpp"

namespace lcl::quant::anchored_simd {

// The group whose 31 others are at o (the loads read o[0..31], one element past the group), with
// its minimum inserted at position (< 32): values 0-15 in low, 16-31 in high. Lanes of bad are set
// where a value contradicts the group (an other below the minimum, or equal to it before the
// anchor); values are below 256, so signed 16-bit compares order them.
LCL_AVX2_KERNEL inline void restore_group32(const uint16_t* o, uint16_t minimum_value,
                                            uint32_t position_value, __m256i& low_values,
                                            __m256i& high_values, __m256i& bad) {
  const __m256i lanes_low = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m256i lanes_high = _mm256_add_epi16(lanes_low, _mm256_set1_epi16(16));
  // Lane 31 holds the next group's first other: it takes part in no check.
  const __m256i checked_high = _mm256_cmpgt_epi16(_mm256_set1_epi16(31), lanes_high);
  const __m256i low = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(o));
  const __m256i high = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(o + 16));
  // The vectors one lane up: lane i holds o[i - 1] (lane 0 a zero it never selects).
  const __m256i low_up = _mm256_alignr_epi8(low, _mm256_permute2x128_si256(low, low, 0x08), 14);
  const __m256i high_up = _mm256_alignr_epi8(high, _mm256_permute2x128_si256(low, high, 0x21), 14);
  const __m256i position = _mm256_set1_epi16(static_cast<int16_t>(position_value));
  const __m256i minimum = _mm256_set1_epi16(static_cast<int16_t>(minimum_value));
  const __m256i before_low = _mm256_cmpgt_epi16(position, lanes_low);
  const __m256i before_high = _mm256_cmpgt_epi16(position, lanes_high);
  low_values = _mm256_blendv_epi8(low_up, low, before_low);
  high_values = _mm256_blendv_epi8(high_up, high, before_high);
  low_values = _mm256_blendv_epi8(low_values, minimum, _mm256_cmpeq_epi16(position, lanes_low));
  high_values = _mm256_blendv_epi8(high_values, minimum, _mm256_cmpeq_epi16(position, lanes_high));
  const __m256i bad_low =
      _mm256_or_si256(_mm256_cmpgt_epi16(minimum, low),
                      _mm256_and_si256(before_low, _mm256_cmpeq_epi16(low, minimum)));
  const __m256i bad_high =
      _mm256_or_si256(_mm256_cmpgt_epi16(minimum, high),
                      _mm256_and_si256(before_high, _mm256_cmpeq_epi16(high, minimum)));
  bad = _mm256_or_si256(bad, _mm256_or_si256(bad_low, _mm256_and_si256(bad_high, checked_high)));
}

}  // namespace lcl::quant::anchored_simd
