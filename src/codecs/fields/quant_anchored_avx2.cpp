// AVX2 forms of read_anchored_groups' loops for groups of 32 (quant_anchored_simd.hpp): a group's
// 31 others in two vectors of 16-bit lanes, shifted up one lane from the anchor on by a blend
// against the vectors moved one lane up; the contexts of a group's others in one byte vector. A
// group's loads and stores reach one element into the next group, so the last group is left to
// the portable loop.

#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include "codecs/fields/quant_anchored_simd.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant::anchored_simd {

namespace {
constexpr uint32_t kN = 32;
}  // namespace

LCL_AVX2_KERNEL bool restore_groups32_avx2(const uint16_t* others, const uint16_t* minima,
                                           const uint16_t* positions, size_t groups,
                                           uint16_t* values) {
  const __m256i lanes_low = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m256i lanes_high = _mm256_add_epi16(lanes_low, _mm256_set1_epi16(16));
  // Lane 31 holds the next group's first other: it takes part in no check.
  const __m256i checked_high = _mm256_cmpgt_epi16(_mm256_set1_epi16(31), lanes_high);
  __m256i bad = _mm256_setzero_si256();
  for (size_t g = 0; g + 1 < groups; ++g) {
    const uint16_t* o = others + g * (kN - 1);
    const __m256i low = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(o));
    const __m256i high = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(o + 16));
    // The vectors one lane up: lane i holds o[i - 1] (lane 0 a zero it never selects).
    const __m256i low_up = _mm256_alignr_epi8(low, _mm256_permute2x128_si256(low, low, 0x08), 14);
    const __m256i high_up =
        _mm256_alignr_epi8(high, _mm256_permute2x128_si256(low, high, 0x21), 14);
    const __m256i position = _mm256_set1_epi16(static_cast<int16_t>(positions[g]));
    const __m256i minimum = _mm256_set1_epi16(static_cast<int16_t>(minima[g]));
    const __m256i before_low = _mm256_cmpgt_epi16(position, lanes_low);
    const __m256i before_high = _mm256_cmpgt_epi16(position, lanes_high);
    __m256i v_low = _mm256_blendv_epi8(low_up, low, before_low);
    __m256i v_high = _mm256_blendv_epi8(high_up, high, before_high);
    v_low = _mm256_blendv_epi8(v_low, minimum, _mm256_cmpeq_epi16(position, lanes_low));
    v_high = _mm256_blendv_epi8(v_high, minimum, _mm256_cmpeq_epi16(position, lanes_high));
    // Values are below 256, so signed 16-bit compares order them.
    const __m256i bad_low =
        _mm256_or_si256(_mm256_cmpgt_epi16(minimum, low),
                        _mm256_and_si256(before_low, _mm256_cmpeq_epi16(low, minimum)));
    const __m256i bad_high =
        _mm256_or_si256(_mm256_cmpgt_epi16(minimum, high),
                        _mm256_and_si256(before_high, _mm256_cmpeq_epi16(high, minimum)));
    bad = _mm256_or_si256(bad, _mm256_or_si256(bad_low, _mm256_and_si256(bad_high, checked_high)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(values + g * kN), v_low);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(values + g * kN + 16), v_high);
  }
  return _mm256_testz_si256(bad, bad);
}

LCL_AVX2_KERNEL void fill_contexts32_avx2(const uint8_t* group_contexts, const uint16_t* minima,
                                          const uint16_t* positions, uint32_t min_classes,
                                          size_t groups, uint8_t* contexts) {
  const __m256i lanes =
      _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                       22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
  for (size_t g = 0; g + 1 < groups; ++g) {
    const uint32_t cls = minima[g] < min_classes - 1 ? minima[g] : min_classes - 1;
    const uint32_t after = (group_contexts[g] * min_classes + cls) * 2;
    const __m256i position = _mm256_set1_epi8(static_cast<char>(positions[g]));
    // Before the anchor the context is one more: subtract the compare's -1.
    const __m256i c = _mm256_sub_epi8(_mm256_set1_epi8(static_cast<char>(after)),
                                      _mm256_cmpgt_epi8(position, lanes));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(contexts + g * (kN - 1)), c);
  }
}

}  // namespace lcl::quant::anchored_simd

#endif
