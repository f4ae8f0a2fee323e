// AVX2 forms of the anchored groups' loops for groups of 32 (quant_anchored_simd.hpp): a group's
// values or its 31 others in two vectors of 16-bit lanes, shifted one lane from the anchor on by a
// blend against the vectors moved one lane; the contexts of a group's others in one byte vector. A
// group's loads and stores reach one element into the next group, so the last group is left to
// the portable loop.

#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include "codecs/fields/anchored_group32_avx2.hpp"
#include "codecs/fields/quant_anchored_simd.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant::anchored_simd {

namespace {
constexpr uint32_t kN = 32;
}  // namespace

LCL_AVX2_KERNEL bool restore_groups32_avx2(const uint16_t* others, const uint16_t* minima,
                                           const uint16_t* positions, size_t groups,
                                           uint16_t* values) {
  __m256i bad = _mm256_setzero_si256();
  for (size_t g = 0; g + 1 < groups; ++g) {
    __m256i low, high;
    restore_group32(others + g * (kN - 1), minima[g], positions[g], low, high, bad);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(values + g * kN), low);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(values + g * kN + 16), high);
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

LCL_AVX2_KERNEL void split_groups32_avx2(const uint16_t* values, const uint8_t* group_contexts,
                                         size_t groups, uint32_t min_classes, uint16_t* minima,
                                         uint16_t* positions, uint16_t* others,
                                         uint8_t* other_contexts) {
  const __m256i lanes_low = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m256i lanes_high = _mm256_add_epi16(lanes_low, _mm256_set1_epi16(16));
  const __m256i byte_lanes =
      _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                       22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
  for (size_t g = 0; g + 1 < groups; ++g) {
    const uint16_t* v = values + g * kN;
    const __m256i low = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v));
    const __m256i high = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + 16));
    // The group's minimum: a vertical min to 8 lanes, then minpos.
    const __m256i both = _mm256_min_epu16(low, high);
    const __m128i eight =
        _mm_min_epu16(_mm256_castsi256_si128(both), _mm256_extracti128_si256(both, 1));
    const auto minimum = static_cast<uint16_t>(_mm_cvtsi128_si32(_mm_minpos_epu16(eight)));
    const __m256i minimum_vector = _mm256_set1_epi16(static_cast<int16_t>(minimum));
    // Its first occurrence: one bit per value (packs interleaves 128-bit halves; the permute
    // restores value order), the lowest set bit.
    const __m256i equal =
        _mm256_permute4x64_epi64(_mm256_packs_epi16(_mm256_cmpeq_epi16(low, minimum_vector),
                                                    _mm256_cmpeq_epi16(high, minimum_vector)),
                                 0xD8);
    const auto position =
        static_cast<uint32_t>(__builtin_ctz(static_cast<uint32_t>(_mm256_movemask_epi8(equal))));
    minima[g] = minimum;
    positions[g] = static_cast<uint16_t>(position);
    // The others: value i before the anchor, value i + 1 from it on (value 32 is the next
    // group's first; its slot is the next group's first other, which that group writes).
    const __m256i position16 = _mm256_set1_epi16(static_cast<int16_t>(position));
    const __m256i next_low = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + 1));
    const __m256i next_high = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + 17));
    uint16_t* o = others + g * (kN - 1);
    _mm256_storeu_si256(
        reinterpret_cast<__m256i*>(o),
        _mm256_blendv_epi8(next_low, low, _mm256_cmpgt_epi16(position16, lanes_low)));
    _mm256_storeu_si256(
        reinterpret_cast<__m256i*>(o + 16),
        _mm256_blendv_epi8(next_high, high, _mm256_cmpgt_epi16(position16, lanes_high)));
    const uint32_t cls = minimum < min_classes - 1 ? minimum : min_classes - 1;
    const uint32_t after = (group_contexts[g] * min_classes + cls) * 2;
    const __m256i c = _mm256_sub_epi8(
        _mm256_set1_epi8(static_cast<char>(after)),
        _mm256_cmpgt_epi8(_mm256_set1_epi8(static_cast<char>(position)), byte_lanes));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(other_contexts + g * (kN - 1)), c);
  }
}

}  // namespace lcl::quant::anchored_simd

#endif
